using SwarmFL.Crypto;
using Gen = SwarmFL.Chain.Contracts.Generated.SwarmCoordinator.ContractDefinition;

namespace SwarmFL.Chain.Contracts;

/// <summary>Phases of a round as the contract numbers them; Waiting = not enough members yet to open the round.</summary>
public enum RoundPhase : byte { Commit = 0, Merge = 1, SemiGlobal = 2, Waiting = 3, Election = 4, Opening = 5 }

public static class RoundPhases
{
    /// <summary>Whether the round has members and clusters: before it opens (Waiting) and while its ring is rebuilt
    /// (Opening), roundInfo's figures are zero and clusterOf reverts.</summary>
    public static bool HasClusters(this RoundPhase phase) => phase is not (RoundPhase.Waiting or RoundPhase.Opening);
}

/// <summary>Aggregation strategy ids recorded in the swarm configuration.</summary>
public enum AggregationStrategy : byte { FedAvg = 0, Median = 1, TrimmedMean = 2, Krum = 3, MultiKrum = 4, GeometricMedian = 5 }

public enum MemberStatus : byte { None = 0, Joining = 1, Active = 2, Leaving = 3 }

public enum ClusterStatus : byte { None = 0, AwaitingMerge = 1, Merged = 2, Done = 3, Skipped = 4 }

/// <summary>The swarm's configuration, fixed at creation (the contract's Config struct).</summary>
public sealed record SwarmConfig(
    uint MinPeers,
    ulong CommitWindowSeconds,
    ulong MergeTimeoutSeconds,
    uint TargetClusterSize,
    bool AllowlistOnly,
    byte[] ModelSpecHash,
    byte[] GenesisModel,
    AggregationStrategy Aggregation)
{
    internal Gen.Config ToDto() => new()
    {
        MinPeers = MinPeers, CommitWindow = CommitWindowSeconds, MergeTimeout = MergeTimeoutSeconds, TargetClusterSize = TargetClusterSize,
        AllowlistOnly = AllowlistOnly, ModelSpecHash = ModelSpecHash, GenesisModel = GenesisModel, Aggregation = (byte)Aggregation,
    };

    internal static SwarmConfig FromDto(Gen.Config c) => new(c.MinPeers, c.CommitWindow, c.MergeTimeout, c.TargetClusterSize,
        c.AllowlistOnly, c.ModelSpecHash, c.GenesisModel, (AggregationStrategy)c.Aggregation);
}

/// <summary>
/// The contract's AggregationRules, fixed at creation: the canonical aggregation policy text every leader, checking
/// member and audit applies, the cap on each commit's sample count, how many rounds a failed leader sits out, and how
/// long (seconds from the start of the SemiGlobal phase) a cluster's committers have to object to its merge.
/// </summary>
public sealed record AggregationRules(string Policy, ulong MaxSamples, uint LeaderCooldownRounds, ulong ObjectionWindowSeconds = AggregationRules.DefaultObjectionWindowSeconds)
{
    public const ulong DefaultObjectionWindowSeconds = 10;

    /// <summary>For deployments that name no rules: FedAvg (strategy id 0), at most 10^6 samples a commit, 2 rounds out,
    /// 10 s to object.</summary>
    public static AggregationRules Default { get; } = new("fedavg", 1_000_000, 2);

    internal Gen.AggregationRules ToDto() =>
        new() { Policy = Policy, MaxSamples = MaxSamples, LeaderCooldown = LeaderCooldownRounds, ObjectionWindow = ObjectionWindowSeconds };

    internal static AggregationRules FromDto(Gen.AggregationRules r) => new(r.Policy, r.MaxSamples, r.LeaderCooldown, r.ObjectionWindow);
}

public sealed record MemberInfo(EthereumAddress Account, byte[] PeerIdBytes, string Multiaddr, byte[] RingId, bool OptedOut, bool Active)
{
    public PeerId PeerId => PeerId.FromBytes(PeerIdBytes);
}

public sealed record RoundInfo(ulong Round, ulong OpenedAt, ulong Deadline, uint MemberCount, uint ClusterCount, uint Commits, RoundPhase Phase, byte[] Randomness);

public sealed record LeaderInfo(EthereumAddress Leader, ulong ElectedAt, uint Attempt);

public sealed record ClusterRoundState(EthereumAddress Leader, ulong ElectedAt, uint Attempt, ClusterStatus Status);

/// <summary>The votes on a cluster's standing merge (zeros without one); <see cref="ContestedInRound"/> counts the round's
/// standing merges with more objections than supporters, which hold back every semi-global model.</summary>
public sealed record MergeVotes(uint Objections, uint Supporters, uint Needed, uint ContestedInRound)
{
    public bool Contested => Objections > Supporters;
}
