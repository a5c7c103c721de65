namespace SwarmFL.Swarm.Rounds;

/// <summary>The swarm configuration fixed on chain at creation that the round protocol acts on.</summary>
public sealed record SwarmRules(
    int MinPeers,
    TimeSpan CommitWindow,
    TimeSpan MergeTimeout,
    int TargetClusterSize,
    string AggregationStrategy,
    SwarmFL.Crypto.ContentId GenesisModel);
