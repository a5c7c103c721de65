using System.Globalization;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// The one owner of the strategies' names and parameter syntax: every command, the swarm configuration and the docs
/// use these texts, and <see cref="IAggregationStrategy.Name"/> writes them back so a parsed strategy round-trips.
/// </summary>
public static class AggregationStrategies
{
    public const string FedAvg = "fedavg";
    public const string Median = "median";
    public const string TrimmedMean = "trimmed-mean";
    public const string Krum = "krum";
    public const string MultiKrum = "multi-krum";
    public const string GeometricMedian = "geometric-median";

    /// <summary>Every name, in the order of the contract's strategy ids (0 fedavg … 5 geometric-median).</summary>
    public static readonly IReadOnlyList<string> Names = [FedAvg, Median, TrimmedMean, Krum, MultiKrum, GeometricMedian];

    public const string Help =
        "fedavg | median | trimmed-mean[:β] | krum[:f] | multi-krum[:f:m] | geometric-median[:maxIterations[:tolerance]] " +
        "(defaults: β 0.1, f 1, m 3, 100 iterations, tolerance 1e-6)";

    /// <summary>The contract's strategy id of a strategy (its position in <see cref="Names"/>).</summary>
    public static byte IdOf(IAggregationStrategy strategy) => strategy switch
    {
        Aggregation.FedAvg => 0,
        CoordinateMedian => 1,
        Aggregation.TrimmedMean => 2,
        Aggregation.Krum { M: 1 } => 3,
        Aggregation.Krum => 4,
        Aggregation.GeometricMedian => 5,
        _ => throw new ArgumentException($"strategy {strategy.Name} has no contract id"),
    };

    public static IAggregationStrategy Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        try
        {
            return parts[0] switch
            {
                FedAvg when parts.Length == 1 => new FedAvg(),
                Median when parts.Length == 1 => new CoordinateMedian(),
                TrimmedMean when parts.Length == 1 => new TrimmedMean(0.1),
                TrimmedMean when parts.Length == 2 => new TrimmedMean(Number(parts[1])),
                Krum when parts.Length == 1 => new Krum(1),
                Krum when parts.Length == 2 => new Krum(Integer(parts[1])),
                MultiKrum when parts.Length == 1 => new Krum(1, 3),
                MultiKrum when parts.Length == 3 => new Krum(Integer(parts[1]), Integer(parts[2])),
                GeometricMedian when parts.Length == 1 => new GeometricMedian(),
                GeometricMedian when parts.Length == 2 => new GeometricMedian(Integer(parts[1])),
                GeometricMedian when parts.Length == 3 => new GeometricMedian(Integer(parts[1]), Number(parts[2])),
                _ => throw new FormatException($"unknown aggregation strategy '{text}'; expected {Help}"),
            };
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"aggregation strategy '{text}': {e.Message}", e);
        }
    }

    private static double Number(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"'{s}' is not a number");

    private static int Integer(string s) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"'{s}' is not an integer");
}
