using System.Buffers;
using System.Threading.Channels;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.PubSub.Rpc;
using SwarmFL.P2P.PubSub.Signing;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.Tests.PubSub.Support;

/// <summary>
/// A scripted peer that speaks the pubsub wire format directly, to see exactly what a router sends and to send it
/// what a well-behaved router never would (bad signatures, GRAFT during backoff, oversized or garbage frames).
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly InMemoryEndpoint _endpoint;
    private readonly Channel<RPC> _received = Channel.CreateUnbounded<RPC>();
    private PubSubStream? _outbound;

    public RawPeer(NodeKey key, InMemoryEndpoint endpoint, IReadOnlyList<string> protocols)
    {
        Key = key;
        _endpoint = endpoint;
        endpoint.SetStreamHandler(protocols, ReadInboundAsync);
    }

    public NodeKey Key { get; }
    public PeerId PeerId => Key.PeerId;
    public ChannelReader<RPC> Received => _received.Reader;

    /// <summary>Every RPC received, in order, including those <see cref="WaitForAsync"/> skipped.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<RPC> History { get; } = new();
    public string? InboundProtocol { get; private set; }

    /// <summary>Inbound streams to close at once, to see the router recover from a broken stream.</summary>
    public int StreamsToBreak { get; set; }

    public int InboundStreams => _inboundStreams;
    private int _inboundStreams;

    private async Task ReadInboundAsync(PubSubStream stream, CancellationToken cancellationToken)
    {
        InboundProtocol = stream.Protocol;
        Interlocked.Increment(ref _inboundStreams);
        if (StreamsToBreak > 0)
        {
            StreamsToBreak--;
            await stream.Stream.DisposeAsync();
            return;
        }
        await using var reader = new RpcFrameReader(stream.Stream, 4 << 20);
        while (true)
        {
            var frame = await reader.ReadAsync(cancellationToken);
            if (frame.Kind != RpcFrameKind.Rpc) return;
            History.Enqueue(frame.Rpc!);
            _received.Writer.TryWrite(frame.Rpc!);
        }
    }

    /// <summary>Opens our sending stream to <paramref name="target"/>.</summary>
    public async Task OpenAsync(PeerId target, string protocol = PubSubProtocols.GossipSubV11)
    {
        _outbound = await _endpoint.OpenStreamAsync(target, [protocol], CancellationToken.None);
    }

    public Task SendAsync(RPC rpc) => SendBytesAsync(RpcCodec.EncodeFrame(rpc));

    public async Task SendBytesAsync(byte[] bytes)
    {
        var stream = _outbound?.Stream ?? throw new InvalidOperationException("call OpenAsync first");
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    public Message Sign(string topic, byte[] data, ulong seqno) => StrictSign.CreateSigned(new NodeKeySigner(Key), topic, data, seqno);

    public static RPC Subscribe(string topic) => new() { Subscriptions = { new RPC.Types.SubOpts { Subscribe = true, Topicid = topic } } };
    public static RPC Graft(string topic) => new() { Control = new ControlMessage { Graft = { new ControlGraft { TopicID = topic } } } };
    public static RPC Prune(string topic, ulong backoffSeconds) =>
        new() { Control = new ControlMessage { Prune = { new ControlPrune { TopicID = topic, Backoff = backoffSeconds } } } };
    public static RPC Publish(Message message) => new() { Publish = { message } };

    /// <summary>Reads received RPCs until one matches, failing after the timeout.</summary>
    public async Task<RPC> WaitForAsync(Func<RPC, bool> match, string what, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            while (true)
            {
                var rpc = await _received.Reader.ReadAsync(timeout.Token);
                if (match(rpc)) return rpc;
            }
        }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException($"timed out waiting for {what}"); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_outbound is not null) await _outbound.Stream.DisposeAsync();
    }
}
