namespace SwarmFL.P2P.PubSub.Router;

/// <summary>Counters of what the router did, for tests, logs and metrics.</summary>
public sealed record GossipSubStats
{
    public long MessagesReceived { get; init; }
    public long Duplicates { get; init; }
    public long Accepted { get; init; }
    public long Rejected { get; init; }
    public long Ignored { get; init; }
    public long Delivered { get; init; }
    public long Forwarded { get; init; }
    public long Published { get; init; }
    public long IHaveSent { get; init; }
    public long IWantSent { get; init; }
    public long IWantServed { get; init; }
    public long GraftsSent { get; init; }
    public long PrunesSent { get; init; }
    public long GraftsRefused { get; init; }
    public long MalformedFrames { get; init; }
    public long OversizedFrames { get; init; }
    public long GraylistedRpcs { get; init; }
    public long DroppedOutbound { get; init; }
    public long Heartbeats { get; init; }
    /// <summary>Messages dropped unvalidated because the validation queue was full.</summary>
    public long ValidationsDropped { get; init; }
}
