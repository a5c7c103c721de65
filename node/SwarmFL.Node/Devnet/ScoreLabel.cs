namespace SwarmFL.Node.Devnet;

/// <summary>
/// What the launcher's scores are (the swarm's headline metric) and what they are scored on, for the summary, the plot
/// and the console. MNIST runs keep today's words exactly.
/// </summary>
public sealed record ScoreLabel(string Metric, string TestSet)
{
    public static ScoreLabel Mnist { get; } = new(Learning.Metrics.Metric.Accuracy, "the MNIST test set");

    /// <summary>The short column name: "acc" for accuracy (as always), else the metric's own name.</summary>
    public string Short => Metric == Learning.Metrics.Metric.Accuracy ? "acc" : Metric;
}
