using System.Globalization;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Attacks;

/// <summary>
/// A benchmark-only seam: a fixed share of a simulation's clients is Byzantine and corrupts every update it sends.
/// Only <c>swarmfl simulate --attack</c> builds one; a swarm node has no way to reach it (its members' behaviour is
/// their own, and the end-to-end tests drive adversaries from test code instead).
/// </summary>
/// <param name="Fraction">The share of the clients that attack, in [0, 1); rounded to the nearest whole client.</param>
public sealed record ByzantineAttack(AttackKind Kind, double Fraction)
{
    public const double SignFlipFactor = 4;
    public const double ScaleFactor = 20;
    public const long InflatedSampleCount = 1_000_000_000_000_000;

    public const string Help = "KIND:FRACTION, KIND one of sign-flip | scaled | nan | inflated-samples, FRACTION in [0, 1) (e.g. sign-flip:0.2)";

    private static readonly IReadOnlyDictionary<string, AttackKind> Names = new Dictionary<string, AttackKind>
    {
        ["sign-flip"] = AttackKind.SignFlip,
        ["scaled"] = AttackKind.Scaled,
        ["nan"] = AttackKind.NaN,
        ["inflated-samples"] = AttackKind.InflatedSamples,
    };

    public string Name => Names.Single(n => n.Value == Kind).Key;

    public override string ToString() => $"{Name}:{Fraction.ToString(CultureInfo.InvariantCulture)}";

    public static ByzantineAttack Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        if (parts.Length != 2 || !Names.TryGetValue(parts[0], out var kind))
            throw new FormatException($"attack '{text}': expected {Help}");
        if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction) || !(fraction >= 0 && fraction < 1))
            throw new FormatException($"attack '{text}': the fraction must be a number in [0, 1)");
        return new ByzantineAttack(kind, fraction);
    }

    /// <summary>How many of <paramref name="clients"/> attack: the fraction rounded to the nearest client.</summary>
    public int AttackerCount(int clients) => (int)Math.Round(Fraction * clients, MidpointRounding.AwayFromZero);

    /// <summary>The attacking clients: a seeded draw, fixed for the whole run (the same clients attack every round).</summary>
    public IReadOnlySet<int> PickAttackers(int clients, ulong seed) =>
        new DeterministicRandom(DeterministicRandom.Derive(seed, 0xB1A5ED)).Permutation(clients).Take(AttackerCount(clients)).ToHashSet();

    /// <summary>What an attacker sends in place of the model it trained honestly from <paramref name="global"/>.</summary>
    public (ModelWeights Weights, long Samples) Corrupt(ModelWeights global, ModelWeights honest, long samples) => Kind switch
    {
        AttackKind.SignFlip => (Extrapolate(global, honest, -SignFlipFactor), samples),
        AttackKind.Scaled => (Extrapolate(global, honest, ScaleFactor), samples),
        AttackKind.NaN => (WithNaN(honest), samples),
        AttackKind.InflatedSamples => (Extrapolate(global, honest, -SignFlipFactor), InflatedSampleCount),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>base + factor × (model − base), tensor by tensor.</summary>
    internal static ModelWeights Extrapolate(ModelWeights global, ModelWeights model, double factor)
    {
        var values = new float[global.Values.Count][];
        for (var t = 0; t < values.Length; t++)
        {
            var g = global.Values[t];
            var m = model.Values[t];
            var v = values[t] = new float[g.Length];
            for (var i = 0; i < v.Length; i++) v[i] = (float)(g[i] + factor * ((double)m[i] - g[i]));
        }
        return new ModelWeights(global.Layout, values);
    }

    private static ModelWeights WithNaN(ModelWeights model)
    {
        var values = model.Values.Select(v => (float[])v.Clone()).ToArray();
        values[0][0] = float.NaN;
        return new ModelWeights(model.Layout, values);
    }
}
