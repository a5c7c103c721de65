namespace SwarmFL.Swarm.Rounds;

/// <summary>
/// How a cluster's semi-global model is built, shared by the leader that builds it and the audit that recomputes it:
/// the round's cluster models averaged with <see cref="Strategy"/>, each weighted by the samples of the commits it merged.
/// </summary>
public static class SemiGlobal
{
    public const string Strategy = "fedavg";

    /// <summary>The weight of a cluster model: its merged commits' samples (at least 1, so an empty sum cannot zero it out).</summary>
    public static ulong WeightOf(PublishedMerge merge, IEnumerable<CommittedModel> commits) =>
        Math.Max(1, commits.Where(c => c.Cluster == merge.Cluster && merge.Inputs.Contains(c.Model)).Aggregate(0UL, (sum, c) => sum + c.Samples));
}
