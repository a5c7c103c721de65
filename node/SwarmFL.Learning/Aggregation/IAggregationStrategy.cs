using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>A deterministic merge rule: the same updates give the same bytes, whatever order they arrived in.</summary>
public interface IAggregationStrategy
{
    /// <summary>The strategy's canonical text, e.g. "fedavg", "trimmed-mean:0.1", "multi-krum:2:5"; <see cref="AggregationStrategies.Parse"/> reads it back.</summary>
    string Name { get; }

    ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default);
}
