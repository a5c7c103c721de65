using SwarmFL.Crypto;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Audit;

/// <summary>
/// A swarm's history as its contract's events tell it, grouped by round. The chain adapter builds it from the logs;
/// the auditor only reads it.
/// </summary>
public sealed record SwarmHistory(SwarmRules Rules, IReadOnlyList<RoundHistory> Rounds);

public sealed record RoundHistory(
    ulong Round,
    IReadOnlyList<CommittedModel> Commits,
    IReadOnlyList<LeaderEvent> Leaders,
    IReadOnlyList<PublishedMerge> Merges,
    IReadOnlyList<PublishedSemiGlobal> SemiGlobals);

/// <summary>An election (Replaced = null), a replacement of a leader that missed its timeout, or (Voided) of a leader
/// whose merge a majority of its cluster objected to. Leader is zero when no candidate was left.</summary>
public sealed record LeaderEvent(int Cluster, EthereumAddress Leader, int Attempt, EthereumAddress? Replaced, bool Voided = false);
