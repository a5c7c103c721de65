namespace SwarmFL.P2P.PubSub;

/// <summary>
/// Router parameters. Defaults are the gossipsub v1.0/v1.1 spec's recommended values; tests shrink the durations or
/// set <see cref="HeartbeatInterval"/> to <see cref="Timeout.InfiniteTimeSpan"/> and drive heartbeats by hand.
/// </summary>
public sealed record GossipSubOptions
{
    /// <summary>Desired mesh degree.</summary>
    public int D { get; init; } = 6;

    /// <summary>Messages validated at once (signature and topic validators); the rest wait their turn.</summary>
    public int MaxConcurrentValidations { get; init; } = 8;

    /// <summary>Messages waiting for validation at once; more are dropped unvalidated and undelivered (a flood).</summary>
    public int MaxQueuedValidations { get; init; } = 4096;

    /// <summary>Below this many mesh peers the heartbeat grafts more.</summary>
    public int DLow { get; init; } = 4;

    /// <summary>Above this many mesh peers the heartbeat prunes down to <see cref="D"/>.</summary>
    public int DHigh { get; init; } = 12;

    /// <summary>Minimum number of non-mesh peers that receive IHAVE gossip per topic per heartbeat.</summary>
    public int DLazy { get; init; } = 6;

    /// <summary>When pruning an oversubscribed mesh, this many best-scoring peers are always kept (v1.1).</summary>
    public int DScore { get; init; } = 4;

    /// <summary>Fraction of eligible non-mesh peers that receive gossip, when that exceeds <see cref="DLazy"/> (v1.1).</summary>
    public double GossipFactor { get; init; } = 0.25;

    /// <summary>Time between heartbeats; <see cref="Timeout.InfiniteTimeSpan"/> disables the timer (call HeartbeatAsync).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Number of heartbeat windows the message cache keeps for IWANT answers.</summary>
    public int HistoryLength { get; init; } = 5;

    /// <summary>Number of most recent windows whose message ids are announced in IHAVE.</summary>
    public int HistoryGossip { get; init; } = 3;

    /// <summary>A fanout topic (published to without subscribing) is forgotten after this long without a publish.</summary>
    public TimeSpan FanoutTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a message id stays in the seen-cache, suppressing duplicates.</summary>
    public TimeSpan SeenTtl { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Backoff after a PRUNE: neither side grafts the other on that topic until it passes (v1.1).</summary>
    public TimeSpan PruneBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Backoff announced in the PRUNEs sent when we leave a topic (v1.1).</summary>
    public TimeSpan UnsubscribeBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often one peer may fetch the same message by IWANT (v1.1 spam protection).</summary>
    public int GossipRetransmission { get; init; } = 3;

    /// <summary>At most this many message ids are requested from one peer per heartbeat.</summary>
    public int MaxIHaveLength { get; init; } = 5000;

    /// <summary>IHAVE messages from one peer beyond this many per heartbeat are ignored.</summary>
    public int MaxIHaveMessages { get; init; } = 10;

    /// <summary>Own messages go to every subscribed peer above the publish threshold, not only to the mesh (v1.1).</summary>
    public bool FloodPublish { get; init; } = true;

    /// <summary>Deliver our own published messages to our own subscribers.</summary>
    public bool EmitSelf { get; init; }

    /// <summary>Largest RPC frame accepted or sent, in bytes (1 MiB, as go-libp2p and the issue ask).</summary>
    public int MaxRpcSize { get; init; } = 1 << 20;

    /// <summary>RPCs queued for one peer before further ones are dropped (a stalled peer must not grow memory).</summary>
    public int OutboundQueueCapacity { get; init; } = 4096;

    /// <summary>Messages buffered per subscription before the oldest are dropped.</summary>
    public int SubscriptionBufferSize { get; init; } = 4096;

    public PeerScoreOptions Score { get; init; } = new();

    /// <summary>Computes the message id; null means "cannot compute" and the message is rejected.</summary>
    public Func<Wire.Message, MessageId?> MessageIdFunction { get; init; } = MessageIdFunctions.FromAndSeqno;

    /// <summary>Seed for mesh and gossip peer selection; null picks a random seed.</summary>
    public int? RandomSeed { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (!(0 <= DLow && DLow <= D && D <= DHigh)) throw new ArgumentException($"need 0 <= DLow <= D <= DHigh, got {DLow}, {D}, {DHigh}");
        if (DScore > D) throw new ArgumentException($"DScore ({DScore}) must not exceed D ({D})");
        if (HistoryGossip > HistoryLength) throw new ArgumentException("HistoryGossip must not exceed HistoryLength");
        if (MaxRpcSize < 1024) throw new ArgumentException("MaxRpcSize must be at least 1 KiB");
    }
}

/// <summary>
/// Basic peer scoring, a deterministic subset of gossipsub v1.1's score function:
/// <code>score = InvalidMessageWeight · invalid² + BehaviourPenaltyWeight · behaviour²</code>
/// where <c>invalid</c> counts messages from the peer that failed signature checks or validation and malformed or
/// oversized frames (P4, counted across topics), and <c>behaviour</c> counts protocol misbehaviour such as a GRAFT
/// during backoff (P7). Both counters decay multiplicatively at every heartbeat and snap to zero below
/// <see cref="DecayToZero"/>. Scores of disconnected peers are kept for <see cref="RetainScore"/> so reconnecting does
/// not launder them. With the defaults: one invalid message gives −10, two −40 (no more gossip), three −90 (graylisted:
/// every RPC from the peer is ignored until the counter decays).
/// </summary>
public sealed record PeerScoreOptions
{
    public double InvalidMessageWeight { get; init; } = -10;

    /// <summary>Per-heartbeat decay; 0.999 halves the counter in about 11.5 minutes at a 1 s heartbeat.</summary>
    public double InvalidMessageDecay { get; init; } = 0.999;

    public double BehaviourPenaltyWeight { get; init; } = -10;

    /// <summary>Per-heartbeat decay; 0.99 halves the counter in about 69 s at a 1 s heartbeat.</summary>
    public double BehaviourPenaltyDecay { get; init; } = 0.99;

    public double DecayToZero { get; init; } = 0.01;

    /// <summary>Below this score a peer gets no IHAVE from us and its IHAVE/IWANT are ignored.</summary>
    public double GossipThreshold { get; init; } = -10;

    /// <summary>Below this score our own messages are not flood-published to the peer.</summary>
    public double PublishThreshold { get; init; } = -50;

    /// <summary>Below this score every RPC from the peer is ignored.</summary>
    public double GraylistThreshold { get; init; } = -80;

    public TimeSpan RetainScore { get; init; } = TimeSpan.FromMinutes(5);
}
