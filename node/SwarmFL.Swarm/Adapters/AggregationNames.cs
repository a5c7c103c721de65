using SwarmFL.Chain.Contracts;
using SwarmFL.Learning.Aggregation;

namespace SwarmFL.Swarm.Adapters;

/// <summary>The contract's aggregation strategy ids and the strategy names SwarmFL.Learning owns.</summary>
public static class AggregationNames
{
    public static string ToStrategy(AggregationStrategy id) => id switch
    {
        AggregationStrategy.FedAvg => AggregationStrategies.FedAvg,
        AggregationStrategy.Median => AggregationStrategies.Median,
        AggregationStrategy.TrimmedMean => AggregationStrategies.TrimmedMean + ":0.1",
        AggregationStrategy.Krum => AggregationStrategies.Krum + ":1",
        AggregationStrategy.MultiKrum => AggregationStrategies.MultiKrum + ":1:3",
        AggregationStrategy.GeometricMedian => AggregationStrategies.GeometricMedian,
        _ => throw new FormatException($"unknown aggregation strategy id {(byte)id}"),
    };

    public static AggregationStrategy FromName(string name) => name.Split(':')[0].Trim().ToLowerInvariant() switch
    {
        AggregationStrategies.FedAvg => AggregationStrategy.FedAvg,
        AggregationStrategies.Median => AggregationStrategy.Median,
        AggregationStrategies.TrimmedMean => AggregationStrategy.TrimmedMean,
        AggregationStrategies.Krum => AggregationStrategy.Krum,
        AggregationStrategies.MultiKrum => AggregationStrategy.MultiKrum,
        AggregationStrategies.GeometricMedian => AggregationStrategy.GeometricMedian,
        _ => throw new FormatException($"unknown aggregation strategy '{name}': expected {AggregationStrategies.Help}"),
    };
}
