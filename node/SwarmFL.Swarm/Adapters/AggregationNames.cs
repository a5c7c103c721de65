using SwarmFL.Chain.Contracts;

namespace SwarmFL.Swarm.Adapters;

/// <summary>The contract's aggregation strategy ids and the strategy texts SwarmFL.Learning parses.</summary>
public static class AggregationNames
{
    public static string ToStrategy(AggregationStrategy id) => id switch
    {
        AggregationStrategy.FedAvg => "fedavg",
        AggregationStrategy.Median => "median",
        AggregationStrategy.TrimmedMean => "trimmed-mean:0.1",
        AggregationStrategy.Krum => "krum:1",
        AggregationStrategy.MultiKrum => "multi-krum:1:3",
        AggregationStrategy.GeometricMedian => "geomedian",
        _ => throw new FormatException($"unknown aggregation strategy id {(byte)id}"),
    };

    public static AggregationStrategy FromName(string name) => name.Split(':')[0].ToLowerInvariant() switch
    {
        "fedavg" => AggregationStrategy.FedAvg,
        "median" => AggregationStrategy.Median,
        "trimmed-mean" => AggregationStrategy.TrimmedMean,
        "krum" => AggregationStrategy.Krum,
        "multi-krum" => AggregationStrategy.MultiKrum,
        "geomedian" or "geometric-median" => AggregationStrategy.GeometricMedian,
        _ => throw new FormatException($"unknown aggregation strategy '{name}': expected fedavg, median, trimmed-mean, krum, multi-krum or geomedian"),
    };
}
