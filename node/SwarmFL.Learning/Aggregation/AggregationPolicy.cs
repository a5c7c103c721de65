using System.Globalization;
using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// Everything that decides a merge's result, as a swarm pins it at creation: the strategy with its parameters, the
/// deviation limit, the update norm bound and the per-input sample cap. Leaders, checking members and the audit all
/// merge through <see cref="Merge"/>, so the same inputs give the same drops and the same bytes everywhere.
/// </summary>
public sealed record AggregationPolicy
{
    public required IAggregationStrategy Strategy { get; init; }
    /// <summary>k: drop inputs farther from the base than k × the median distance (applied with 3 or more inputs).</summary>
    public double? DeviationLimit { get; init; }
    /// <summary>Drop inputs whose ‖update − base‖₂ is over this.</summary>
    public double? UpdateNormBound { get; init; }
    /// <summary>Each input counts with at most this many samples (the contract refuses larger commits as well).</summary>
    public long? MaxSamples { get; init; }

    public static AggregationPolicy Of(string strategy) => new() { Strategy = AggregationStrategies.Parse(strategy) };

    public const string TextHelp = "STRATEGY[;deviation-limit=k][;norm-bound=b][;max-samples=n], STRATEGY: " + AggregationStrategies.Help;

    /// <summary>The canonical text: the strategy's name, then each limit that is set, in this fixed order.</summary>
    public string Text
    {
        get
        {
            var text = Strategy.Name;
            if (DeviationLimit is { } k) text += ";deviation-limit=" + k.ToString("R", CultureInfo.InvariantCulture);
            if (UpdateNormBound is { } b) text += ";norm-bound=" + b.ToString("R", CultureInfo.InvariantCulture);
            if (MaxSamples is { } m) text += ";max-samples=" + m.ToString(CultureInfo.InvariantCulture);
            return text;
        }
    }

    /// <summary>Reads <see cref="Text"/> back (limits in any order); refuses unknown keys and non-positive limits.</summary>
    public static AggregationPolicy Parse(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        var policy = Of(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"aggregation policy '{text}': '{part}' is not KEY=VALUE; expected {TextHelp}");
            var (key, value) = (part[..eq], part[(eq + 1)..]);
            policy = key switch
            {
                "deviation-limit" => policy with { DeviationLimit = Positive(key, value) },
                "norm-bound" => policy with { UpdateNormBound = Positive(key, value) },
                "max-samples" => policy with
                {
                    MaxSamples = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                        ? n : throw new FormatException($"max-samples must be a positive integer, got '{value}'"),
                },
                _ => throw new FormatException($"aggregation policy '{text}': unknown key '{key}'; expected {TextHelp}"),
            };
        }
        return policy;
    }

    private static double Positive(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? v : throw new FormatException($"{key} must be a positive number, got '{value}'");

    /// <summary>The deviation filter needs a median over several inputs to mean anything.</summary>
    public const int DeviationFilterMinimumInputs = 3;

    public bool NeedsBaseModel => DeviationLimit is not null || UpdateNormBound is not null;

    public override string ToString()
    {
        var parts = new List<string> { Strategy.Name };
        if (DeviationLimit is { } k) parts.Add("deviation limit " + k.ToString("R", CultureInfo.InvariantCulture));
        if (UpdateNormBound is { } b) parts.Add("norm bound " + b.ToString("R", CultureInfo.InvariantCulture));
        if (MaxSamples is { } m) parts.Add($"sample cap {m}");
        return string.Join(", ", parts);
    }

    public InputValidator Validator(TensorLayout layout, ModelWeights? baseModel) =>
        new(layout, UpdateNormBound, UpdateNormBound is null ? null : baseModel ?? throw new AggregationException("this swarm's update norm bound needs the base model"));

    /// <summary>Validates models held in memory one by one, then merges the valid ones (see <see cref="Merge"/>).</summary>
    public MergeReport MergeModels(TensorLayout layout, IEnumerable<(ContentId Id, byte[] Model, long Samples)> inputs,
        ModelWeights? baseModel, IEnumerable<InputRejection>? alreadyDropped = null, CancellationToken ct = default)
    {
        var validator = Validator(layout, baseModel);
        var valid = new List<ModelUpdate>();
        var dropped = new List<InputRejection>(alreadyDropped ?? []);
        foreach (var (id, model, samples) in inputs)
        {
            if (validator.Check(id, model, samples, out var update) is { } rejection) dropped.Add(rejection);
            else valid.Add(update!);
        }
        return Merge(layout, valid, dropped, baseModel, ct);
    }

    /// <summary>
    /// Merges inputs that passed <see cref="InputValidator"/>: caps their sample counts, drops the ones the deviation
    /// filter rejects, and aggregates the rest. Fails only when no input remains.
    /// </summary>
    /// <param name="dropped">Inputs already rejected (by validation or a failed fetch); the report carries them on.</param>
    public MergeReport Merge(TensorLayout layout, IReadOnlyList<ModelUpdate> valid, IEnumerable<InputRejection> dropped,
        ModelWeights? baseModel, CancellationToken ct = default)
    {
        var rejections = dropped.ToList();
        var kept = valid.Select(u => MaxSamples is { } cap && u.Samples > cap ? u.WithSamples(cap) : u).ToList();
        if (kept.Count == 0) throw NothingLeft(rejections);
        var set = new UpdateSet(layout, kept);
        if (DeviationLimit is { } k && set.Count >= DeviationFilterMinimumInputs)
        {
            if (baseModel is null) throw new AggregationException("this swarm's deviation limit needs the base model");
            var filter = new DeviationFilter(k).Apply(set, baseModel, ct);
            rejections.AddRange(filter.Dropped.Select(d => new InputRejection(d.Update.Describe, d.Update.Id, RejectionReason.Deviation,
                $"distance {d.Distance:G6} > limit {d.Limit:G6} ({k.ToString(CultureInfo.InvariantCulture)} × median {filter.MedianDistance:G6})")));
            set = new UpdateSet(layout, filter.Kept);
        }
        var applied = StrategyFor(set.Count);
        var model = applied.Aggregate(set, ct);
        return new MergeReport(model, set.Updates, rejections, applied.Name);
    }

    /// <summary>
    /// The strategy as it applies to <paramref name="inputs"/> valid inputs. Krum needs n ≥ 2f + 3 (and Multi-Krum
    /// m ≤ n − f): when drops leave fewer, the pinned f is an upper bound and the largest f the inputs allow is used,
    /// with m capped at n − f; under 3 inputs Krum cannot score anyone and the coordinate median merges them. So too
    /// few inputs never vetoes a merge, and every checker derives the same strategy from the same count.
    /// </summary>
    public IAggregationStrategy StrategyFor(int inputs)
    {
        if (Strategy is not Krum krum || (inputs >= 2 * krum.F + 3 && krum.M <= inputs - krum.F)) return Strategy;
        if (inputs < 3) return new CoordinateMedian();
        var f = Math.Min(krum.F, (inputs - 3) / 2);
        return new Krum(f, Math.Min(krum.M, inputs - f)) { Threads = krum.Threads };
    }

    private static AggregationException NothingLeft(IReadOnlyList<InputRejection> dropped) =>
        new(dropped.Count == 0
            ? "nothing to merge: the input set is empty"
            : $"no valid input remains: all {dropped.Count} were dropped ({string.Join("; ", dropped)})");
}

/// <summary>
/// A merge's result, after Flower's strategy results: the merged model, the inputs it used (with the sample counts
/// they counted with), and every input it left out with the reason.
/// </summary>
/// <param name="Applied">The strategy as applied to the inputs that remained (see <see cref="AggregationPolicy.StrategyFor"/>).</param>
public sealed record MergeReport(ModelWeights Model, IReadOnlyList<ModelUpdate> Merged, IReadOnlyList<InputRejection> Dropped, string Applied);
