using System.Text.Json.Serialization;

namespace SwarmFL.Learning.Data.Scaling;

/// <summary>
/// Regression targets standardised with pinned constants, t' = (t − shift) / scale, so the MSE loss starts near 1
/// whatever the target's unit (prices in the hundreds diverge with plain SGD otherwise). Fitted by the swarm's creator
/// like the feature scaling. The models learn and predict standardised targets: MSE and MAE are reported in those
/// units (multiply by scale² and scale for the target's own); R² is the same in both.
/// </summary>
public sealed record TargetScaling
{
    [JsonPropertyName("shift")] public double Shift { get; init; }
    [JsonPropertyName("scale")] public double Scale { get; init; } = 1;

    public static TargetScaling Fit(Dataset data)
    {
        var targets = data.Targets ?? throw new ArgumentException("only regression targets are scaled");
        if (targets.Length == 0) throw new ArgumentException("cannot fit a target scaling on no samples");
        double mean = targets.Average(t => (double)t);
        var std = Math.Sqrt(targets.Average(t => (t - mean) * (t - mean)));
        return new TargetScaling { Shift = (float)mean, Scale = std > 0 ? (float)std : 1 };
    }

    public void Validate()
    {
        if (!double.IsFinite(Shift) || !double.IsFinite(Scale) || !(Scale > 0))
            throw new FormatException($"target scaling shift {Shift} and scale {Scale} must be finite with scale > 0");
    }

    public Dataset Apply(Dataset data)
    {
        var targets = data.Targets ?? throw new ArgumentException("only regression targets are scaled");
        var (shift, scale) = ((float)Shift, (float)Scale);
        return data.WithTargets(targets.Select(t => (t - shift) / scale).ToArray());
    }
}
