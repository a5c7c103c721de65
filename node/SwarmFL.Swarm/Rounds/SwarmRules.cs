namespace SwarmFL.Swarm.Rounds;

/// <summary>The swarm configuration fixed on chain at creation that the round protocol acts on.</summary>
public sealed record SwarmRules(
    int MinPeers,
    TimeSpan CommitWindow,
    TimeSpan MergeTimeout,
    int TargetClusterSize,
    /// <summary>The pinned aggregation policy, as SwarmFL.Learning's <c>AggregationPolicy.Text</c> (strategy with its
    /// parameters, deviation limit, norm bound and the contract's sample cap): what every leader, checker and audit applies.</summary>
    string AggregationPolicy,
    SwarmFL.Crypto.ContentId GenesisModel,
    /// <summary>How long, from the start of the SemiGlobal phase, the cluster's committers may object to its merge.</summary>
    TimeSpan ObjectionWindow = default);
