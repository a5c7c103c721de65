using System.Buffers;
using System.Threading.Channels;
using Serilog;
using SwarmFL.P2P.PubSub.Rpc;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub.Router;

/// <summary>
/// Our sending half towards one peer: a bounded queue of RPCs drained by one writer task onto the outbound stream.
/// Frames are serialized into one reused buffer, and a burst of queued RPCs is written before a single flush.
/// A full queue drops the RPC (a stalled peer must not stall the router or grow memory without bound).
/// </summary>
internal sealed class PeerOutbound : IAsyncDisposable
{
    private readonly PubSubStream _stream;
    private readonly Channel<RPC> _queue;
    private readonly int _maxRpcSize;
    private readonly ILogger _log;
    private readonly Task _writer;

    public PeerOutbound(PubSubStream stream, int capacity, int maxRpcSize, ILogger log, Action<Exception> onFailed)
    {
        _stream = stream;
        _maxRpcSize = maxRpcSize;
        _log = log;
        _queue = Channel.CreateBounded<RPC>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(async () =>
        {
            try { await WriteLoopAsync().ConfigureAwait(false); }
            catch (Exception e) { onFailed(e); }
        });
    }

    public string Protocol => _stream.Protocol;

    public bool TryEnqueue(RPC rpc) => _queue.Writer.TryWrite(rpc);

    private async Task WriteLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var rpc))
            {
                if (RpcCodec.FrameSize(rpc) > _maxRpcSize + 16)
                {
                    _log.Warning("Dropping an outbound RPC of {Size} bytes to {Peer}: above the size limit", rpc.CalculateSize(), _stream.RemotePeer);
                    continue;
                }
                RpcCodec.WriteFrame(rpc, buffer);
                if (buffer.WrittenCount >= 64 * 1024) await FlushBufferAsync(buffer).ConfigureAwait(false);
            }
            if (buffer.WrittenCount > 0) await FlushBufferAsync(buffer).ConfigureAwait(false);
        }
    }

    private async Task FlushBufferAsync(ArrayBufferWriter<byte> buffer)
    {
        await _stream.Stream.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
        await _stream.Stream.FlushAsync().ConfigureAwait(false);
        buffer.ResetWrittenCount();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try { await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (Exception) { /* the failure was already reported through onFailed */ }
        try { await _stream.Stream.DisposeAsync().ConfigureAwait(false); }
        catch (Exception e) { _log.Debug(e, "Closing the pubsub stream to {Peer} failed", _stream.RemotePeer); }
    }
}
