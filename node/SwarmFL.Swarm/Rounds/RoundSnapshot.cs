using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Rounds;

/// <summary>
/// What the chain says about the current round, as this node sees it: read fresh on every step, because the chain (not
/// local memory) is the source of truth, which is what lets a restarted node resume where it was.
/// </summary>
public sealed record RoundSnapshot(
    ulong Round,
    RoundPhase Phase,
    DateTimeOffset Deadline,
    int MemberCount,
    int Commits,
    int ClusterCount,
    int? MyCluster,
    ContentId? MyBaseModel,
    bool IHaveCommitted,
    ulong? ElectionBlock = null,
    ulong Block = 0)
{
    // ElectionBlock: in the Election phase, the block whose hash draws the leaders; Block: the block this view was read at.
    public bool IAmMember => MyCluster is not null;
}

/// <summary>The leader of one cluster in one round, with when it was elected (its merge timeout runs from there).</summary>
public sealed record ClusterLeader(EthereumAddress Leader, DateTimeOffset ElectedAt, int Attempt);

/// <summary>
/// The votes on a cluster's standing merge (zeros without one) and how many of the round's standing merges are
/// contested: no semi-global model is accepted while one is, and after the objection window it is voided.
/// </summary>
public sealed record ClusterVotes(int Objections, int Supporters, int ContestedInRound)
{
    public static readonly ClusterVotes None = new(0, 0, 0);
    public bool Contested => Objections > Supporters;
}

/// <summary>A member's committed local model.</summary>
public sealed record CommittedModel(ulong Round, int Cluster, EthereumAddress Member, ContentId Model, ulong Samples, uint MetricPpm);

/// <summary>
/// A cluster model a leader published, with the committed models it says it merged and the ones it left out, each
/// with its reason (on chain: the InputsDropped event next to MergePublished).
/// </summary>
/// <remarks><see cref="Voided"/>: a majority of the cluster's other committers objected and the contract voided it (MergeVoided);
/// it is history, not a cluster model.</remarks>
/// <param name="Endorsed">Every other committer of the cluster signed that it recomputed the merge to the same model.</param>
public sealed record PublishedMerge(ulong Round, int Cluster, EthereumAddress Leader, ContentId Model, IReadOnlyList<ContentId> Inputs,
    IReadOnlyList<RecordedDrop>? Dropped = null, bool Voided = false, bool Endorsed = false)
{
    public IReadOnlyList<RecordedDrop> Drops => Dropped ?? [];
}

/// <summary>A committed model a merge left out, and the reason code recorded for it.</summary>
public sealed record RecordedDrop(ContentId Id, SwarmFL.Learning.Aggregation.RejectionReason Reason);

/// <summary>A cluster's semi-global model (the next round's base model for that cluster); it combines the round's standing merges (<see cref="Verification.MergeRecomputation.CombinedMerges"/>).</summary>
public sealed record PublishedSemiGlobal(ulong Round, int Cluster, EthereumAddress Leader, ContentId Model);
