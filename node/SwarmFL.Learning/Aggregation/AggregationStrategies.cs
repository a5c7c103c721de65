using System.Globalization;

namespace SwarmFL.Learning.Aggregation;

/// <summary>Reads a strategy from its canonical text (the form a swarm config or the CLI uses).</summary>
public static class AggregationStrategies
{
    public const string Help =
        "fedavg | median | trimmed-mean:β | krum:f | multi-krum:f:m | geomedian[:maxIterations[:tolerance]]";

    public static IAggregationStrategy Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        try
        {
            return parts[0] switch
            {
                "fedavg" when parts.Length == 1 => new FedAvg(),
                "median" when parts.Length == 1 => new CoordinateMedian(),
                "trimmed-mean" when parts.Length == 2 => new TrimmedMean(Number(parts[1])),
                "krum" when parts.Length == 2 => new Krum(Integer(parts[1])),
                "multi-krum" when parts.Length == 3 => new Krum(Integer(parts[1]), Integer(parts[2])),
                "geomedian" when parts.Length == 1 => new GeometricMedian(),
                "geomedian" when parts.Length == 2 => new GeometricMedian(Integer(parts[1])),
                "geomedian" when parts.Length == 3 => new GeometricMedian(Integer(parts[1]), Number(parts[2])),
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
