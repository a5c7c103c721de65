using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SwarmFL.Learning.Data.Scaling;

/// <summary>
/// How features are scaled before training, identically on every node: constants computed once, by whoever creates
/// the swarm, from the creator's own data (or written by hand), then pinned in the swarm's data spec. Members apply the
/// pinned constants and never compute their own, so nobody shares raw data and every node feeds the model the same
/// transform. Constants are per group: per feature for tabular samples (shape [F]), per channel (the first axis) for
/// samples of rank 2 or more (images [C, H, W], sequences [C, T]).
/// <list type="bullet">
/// <item><c>standard</c>: x' = (x − mean) / std (population std; a constant group gets std 1).</item>
/// <item><c>minmax</c>: x' = (x − min) / (max − min) (a constant group gets range 1).</item>
/// <item><c>none</c>: features as read (MNIST IDX is already standardised with its published constants).</item>
/// </list>
/// </summary>
public sealed record FeatureScaling
{
    public const string None = "none";
    public const string Standard = "standard";
    public const string MinMax = "minmax";

    [JsonPropertyName("kind")] public string Kind { get; init; } = None;
    /// <summary>Subtracted per group (mean or min).</summary>
    [JsonPropertyName("shift")] public double[] Shift { get; init; } = [];
    /// <summary>Divided by per group (std or range), never 0.</summary>
    [JsonPropertyName("scale")] public double[] Scale { get; init; } = [];

    public static FeatureScaling Identity { get; } = new();

    public static string[] Kinds => [None, Standard, MinMax];

    /// <summary>The number of groups a sample of this shape has: features for rank 1, channels otherwise.</summary>
    public static int Groups(IReadOnlyList<int> sampleShape) => sampleShape.Count == 1 ? sampleShape[0] : sampleShape[0];

    /// <summary>Computes the constants of <paramref name="kind"/> from a dataset (the swarm creator's).</summary>
    public static FeatureScaling Fit(string kind, Dataset data)
    {
        if (kind == None) return Identity;
        if (kind is not (Standard or MinMax)) throw new FormatException($"unknown scaling '{kind}'; expected {string.Join(", ", Kinds)}");
        if (data.Count == 0) throw new ArgumentException("cannot fit a scaling on an empty dataset");
        var groups = Groups(data.SampleShape);
        var perGroup = data.SampleSize / groups;
        var shift = new double[groups];
        var scale = new double[groups];
        for (var g = 0; g < groups; g++)
        {
            // Welford's update: one pass, stable for large means.
            double mean = 0, m2 = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
            long n = 0;
            for (var s = 0; s < data.Count; s++)
            {
                var begin = (long)s * data.SampleSize;
                for (var k = 0; k < (data.SampleShape.Length == 1 ? 1 : perGroup); k++)
                {
                    double v = data.Features[begin + (data.SampleShape.Length == 1 ? g : (long)g * perGroup + k)];
                    n++;
                    var delta = v - mean;
                    mean += delta / n;
                    m2 += delta * (v - mean);
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
            }
            if (kind == Standard)
            {
                shift[g] = mean;
                var std = Math.Sqrt(m2 / n);
                scale[g] = std > 0 ? std : 1;
            }
            else
            {
                shift[g] = min;
                scale[g] = max > min ? max - min : 1;
            }
        }
        return new FeatureScaling { Kind = kind, Shift = Round(shift), Scale = Round(scale) };
    }

    /// <summary>Constants are stored as float32 values (what is applied), so the pinned text and the arithmetic agree.</summary>
    private static double[] Round(double[] values) => values.Select(v => (double)(float)v).ToArray();

    public void Validate(IReadOnlyList<int> sampleShape)
    {
        if (Kind == None)
        {
            if (Shift.Length != 0 || Scale.Length != 0) throw new FormatException("scaling 'none' takes no constants");
            return;
        }
        if (Kind is not (Standard or MinMax)) throw new FormatException($"unknown scaling '{Kind}'; expected {string.Join(", ", Kinds)}");
        var groups = Groups(sampleShape);
        if (Shift.Length != groups || Scale.Length != groups)
            throw new FormatException($"scaling has {Shift.Length} shifts and {Scale.Length} scales; samples of shape [{string.Join(", ", sampleShape)}] need {groups} of each");
        for (var g = 0; g < groups; g++)
            if (!double.IsFinite(Shift[g]) || !double.IsFinite(Scale[g]) || !(Scale[g] > 0))
                throw new FormatException($"scaling group {g}: shift {Shift[g].ToString(CultureInfo.InvariantCulture)} and scale {Scale[g].ToString(CultureInfo.InvariantCulture)} must be finite with scale > 0");
    }

    /// <summary>The scaled copy of a dataset (the input is not changed).</summary>
    public Dataset Apply(Dataset data)
    {
        if (Kind == None) return data;
        Validate(data.SampleShape);
        var groups = Groups(data.SampleShape);
        var perGroup = data.SampleShape.Length == 1 ? 1 : data.SampleSize / groups;
        var shift = Shift.Select(v => (float)v).ToArray();
        var scale = Scale.Select(v => (float)v).ToArray();
        var x = new float[data.Features.Length];
        for (long i = 0; i < x.Length; i++)
        {
            var inSample = (int)(i % data.SampleSize);
            var g = data.SampleShape.Length == 1 ? inSample : inSample / perGroup;
            x[i] = (data.Features[i] - shift[g]) / scale[g];
        }
        return data.WithFeatures(x);
    }

    public override string ToString() => Kind == None ? None : $"{Kind} over {Shift.Length} group(s)";
}
