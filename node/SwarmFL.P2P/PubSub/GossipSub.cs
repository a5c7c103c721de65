using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Router;
using SwarmFL.P2P.PubSub.Rpc;
using SwarmFL.P2P.PubSub.Signing;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub;

/// <summary>
/// A gossipsub v1.1 router (libp2p/specs pubsub/gossipsub), falling back to v1.0 and serving floodsub peers.
/// <para>
/// All router state lives on one event loop: network events, received RPCs, heartbeats and API calls are posted to a
/// mailbox and applied in order, so the protocol logic reads sequentially and needs no locks. Work that may be slow —
/// signature checks, application validators, socket writes — runs off the loop and posts its result back.
/// </para>
/// The partial files hold the spec's parts: peers and streams, message flow, control messages, the heartbeat.
/// </summary>
public sealed partial class GossipSub : IAsyncDisposable
{
    private readonly IPubSubNetwork _network;
    private readonly IPubSubSigner _signer;
    private readonly GossipSubOptions _options;
    private readonly PeerScoreOptions _scoreOptions;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<Action> _mailbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly Task _heartbeatLoop;

    // Router state: touched only on the event loop.
    private readonly Dictionary<PeerId, PeerState> _peers = new();
    private readonly Dictionary<string, List<Channel<PubSubMessage>>> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<PeerId>> _mesh = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<PeerId>> _fanout = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _fanoutLastPublish = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<PeerId, DateTimeOffset>> _backoff = new(StringComparer.Ordinal);
    private readonly SeenCache _seen;
    private readonly MessageCache _messageCache;
    private readonly PeerScore _score;
    private readonly Random _random;
    private readonly StatsCounters _stats = new();
    private readonly SemaphoreSlim _validationSlots;
    private int _queuedValidations;
    private bool _disposed;

    // Touched from any thread.
    private readonly ConcurrentDictionary<string, ImmutableArray<MessageValidator>> _validators = new(StringComparer.Ordinal);
    private long _sequenceNumber;

    public GossipSub(IPubSubNetwork network, IPubSubSigner signer, GossipSubOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new GossipSubOptions();
        _validationSlots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentValidations));
        _options.Validate();
        if (signer.PeerId != network.LocalPeerId)
            throw new ArgumentException($"the signer ({signer.PeerId}) is not the network's local peer ({network.LocalPeerId})");
        _network = network;
        _signer = signer;
        _scoreOptions = _options.Score;
        _log = (logger ?? Log.ForContext<GossipSub>()).ForContext("LocalPeer", network.LocalPeerId.ToString());
        _time = _options.TimeProvider;
        _seen = new SeenCache(_options.SeenTtl);
        _messageCache = new MessageCache(_options.HistoryLength, _options.HistoryGossip);
        _score = new PeerScore(_scoreOptions);
        _random = _options.RandomSeed is { } seed ? new Random(seed) : new Random();
        // Like js-libp2p: a time-based start, so sequence numbers keep increasing across restarts of the same key.
        _sequenceNumber = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

        _loop = Task.Run(RunLoopAsync);
        _network.SetStreamHandler(PubSubProtocols.All, HandleInboundStreamAsync);
        _network.PeerConnected += OnPeerConnected;
        _network.PeerDisconnected += OnPeerDisconnected;
        foreach (var peer in _network.ConnectedPeers) OnPeerConnected(peer);
        _heartbeatLoop = _options.HeartbeatInterval == Timeout.InfiniteTimeSpan ? Task.CompletedTask : Task.Run(HeartbeatLoopAsync);
    }

    public PeerId LocalPeerId => _signer.PeerId;
    public GossipSubOptions Options => _options;

    /// <summary>Joins <paramref name="topic"/> (announcing it and grafting a mesh) and returns its messages.</summary>
    public ChannelReader<PubSubMessage> Subscribe(string topic)
    {
        CheckTopic(topic);
        var channel = Channel.CreateBounded<PubSubMessage>(new BoundedChannelOptions(_options.SubscriptionBufferSize)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });
        if (!_mailbox.Writer.TryWrite(() => Join(topic, channel)))
            channel.Writer.TryComplete(new ObjectDisposedException(nameof(GossipSub)));
        return channel.Reader;
    }

    /// <summary>Leaves <paramref name="topic"/>: completes its readers, announces it, prunes the mesh with backoff.</summary>
    public void Unsubscribe(string topic) => Post(() => Leave(topic));

    /// <summary>Signs and publishes a message. Throws <see cref="ArgumentException"/> when it would exceed the RPC size limit.</summary>
    public Task<PublishResult> PublishAsync(string topic, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        CheckTopic(topic);
        cancellationToken.ThrowIfCancellationRequested();
        var message = StrictSign.CreateSigned(_signer, topic, data.Span, (ulong)Interlocked.Increment(ref _sequenceNumber));
        var frameSize = RpcCodec.FrameSize(new RPC { Publish = { message } });
        if (frameSize > _options.MaxRpcSize)
            throw new ArgumentException($"a message with {data.Length} data bytes makes a {frameSize}-byte RPC, above the {_options.MaxRpcSize}-byte limit", nameof(data));
        var id = _options.MessageIdFunction(message) ?? throw new InvalidOperationException("the message id function returned no id for our own message");
        return Ask(() => PublishLocal(message, id));
    }

    /// <summary>Adds an application validator for <paramref name="topic"/>; validators run in order, the first non-Accept wins.</summary>
    public void AddValidator(string topic, MessageValidator validator)
    {
        CheckTopic(topic);
        _validators.AddOrUpdate(topic, [validator], (_, existing) => existing.Add(validator));
    }

    public void RemoveValidators(string topic) => _validators.TryRemove(topic, out _);

    /// <summary>Runs one heartbeat now (tests that disable the timer drive the router this way).</summary>
    public Task HeartbeatAsync() => Ask(() => { Heartbeat(); return true; });

    public Task<double> GetPeerScoreAsync(PeerId peer) => Ask(() => _score.Score(peer));

    public Task<IReadOnlyList<PeerId>> GetMeshPeersAsync(string topic) =>
        Ask<IReadOnlyList<PeerId>>(() => _mesh.TryGetValue(topic, out var mesh) ? mesh.ToList() : []);

    public Task<IReadOnlyList<PeerId>> GetFanoutPeersAsync(string topic) =>
        Ask<IReadOnlyList<PeerId>>(() => _fanout.TryGetValue(topic, out var fanout) ? fanout.ToList() : []);

    /// <summary>
    /// Peers that announced a subscription to <paramref name="topic"/> and that we have a stream to: the peers a
    /// publish or a mesh can use right now.
    /// </summary>
    public Task<IReadOnlyList<PeerId>> GetTopicPeersAsync(string topic) =>
        Ask<IReadOnlyList<PeerId>>(() => TopicPeers(topic, _ => true).Select(p => p.Id).ToList());

    /// <summary>Peers we have an outbound pubsub stream to, with the protocol negotiated.</summary>
    public Task<IReadOnlyDictionary<PeerId, string>> GetPeersAsync() =>
        Ask<IReadOnlyDictionary<PeerId, string>>(() => _peers.Values.Where(p => p.CanSend).ToDictionary(p => p.Id, p => p.Protocol!));

    public Task<bool> IsBackingOffAsync(string topic, PeerId peer) => Ask(() => InBackoff(topic, peer, _time.GetUtcNow()));

    public Task<GossipSubStats> GetStatsAsync() => Ask(() => _stats.Snapshot());

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _network.PeerConnected -= OnPeerConnected;
        _network.PeerDisconnected -= OnPeerDisconnected;
        var closed = Ask(() =>
        {
            _disposed = true;
            var outbound = _peers.Values.Select(p => p.Outbound).OfType<PeerOutbound>().ToList();
            foreach (var subscribers in _subscriptions.Values)
                foreach (var channel in subscribers) channel.Writer.TryComplete();
            _peers.Clear();
            return outbound;
        });
        List<PeerOutbound> streams;
        try { streams = await closed.ConfigureAwait(false); }
        catch (ObjectDisposedException) { streams = []; }
        _stopping.Cancel();
        _mailbox.Writer.TryComplete();
        foreach (var outbound in streams) await outbound.DisposeAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_loop, _heartbeatLoop).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _stopping.Dispose();
    }

    private async Task RunLoopAsync()
    {
        await foreach (var action in _mailbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try { action(); }
            catch (Exception e) { _log.Error(e, "Gossipsub event handler failed"); }
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false)) Post(Heartbeat);
        }
        catch (OperationCanceledException) { }
    }

    private void Post(Action action) => _mailbox.Writer.TryWrite(action);

    private Task<T> Ask<T>(Func<T> query)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _mailbox.Writer.TryWrite(() =>
        {
            try { answer.SetResult(query()); }
            catch (Exception e) { answer.SetException(e); }
        });
        if (!posted) answer.SetException(new ObjectDisposedException(nameof(GossipSub)));
        return answer.Task;
    }

    private static void CheckTopic(string topic)
    {
        if (string.IsNullOrEmpty(topic)) throw new ArgumentException("a topic must not be empty", nameof(topic));
    }

    private sealed class StatsCounters
    {
        public long MessagesReceived, Duplicates, Accepted, Rejected, Ignored, Delivered, Forwarded, Published;
        public long IHaveSent, IWantSent, IWantServed, GraftsSent, PrunesSent, GraftsRefused;
        public long MalformedFrames, OversizedFrames, GraylistedRpcs, DroppedOutbound, Heartbeats, ValidationsDropped;

        public GossipSubStats Snapshot() => new()
        {
            MessagesReceived = MessagesReceived, Duplicates = Duplicates, Accepted = Accepted, Rejected = Rejected,
            Ignored = Ignored, Delivered = Delivered, Forwarded = Forwarded, Published = Published,
            IHaveSent = IHaveSent, IWantSent = IWantSent, IWantServed = IWantServed, GraftsSent = GraftsSent,
            PrunesSent = PrunesSent, GraftsRefused = GraftsRefused, MalformedFrames = MalformedFrames,
            OversizedFrames = OversizedFrames, GraylistedRpcs = GraylistedRpcs, DroppedOutbound = DroppedOutbound, ValidationsDropped = ValidationsDropped,
            Heartbeats = Heartbeats,
        };
    }
}
