using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SwarmFL.Learning.Data.Scaling;
using SwarmFL.Learning.Metrics;

namespace SwarmFL.Learning.Data;

/// <summary>
/// What every member of a swarm must agree on about the data, without sharing any: the task, the headline metric
/// members commit, the per-sample input shape, the class names in index order, and the feature-scaling constants. The
/// swarm's creator writes it once (<c>swarmfl data-spec --model</c>, fitted on the creator's data); it names the model
/// by its hash, and the chain pins the spec's own canonical hash in place of the model's (<see cref="PinnedHash"/>), so
/// one pinned digest fixes both: a member with the spec checks it against the chain and takes the model hash from it.
/// The default spec (MNIST: classification, accuracy, no extra scaling, no model named) pins the model's hash
/// unchanged, so swarms that name no data spec are exactly as before.
/// </summary>
public sealed record DataSpec
{
    public const string FormatName = "swarmfl-data/1";

    [JsonPropertyName("format")] public string Format { get; init; } = FormatName;
    [JsonPropertyName("task")] public string Task { get; init; } = "classification";
    [JsonPropertyName("metric")] public string Metric { get; init; } = Metrics.Metric.Accuracy;
    [JsonPropertyName("input")] public int[] Input { get; init; } = [1, MnistDataset.Rows, MnistDataset.Columns];
    [JsonPropertyName("classes")] public string[] Classes { get; init; } = Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();
    [JsonPropertyName("scaling")] public FeatureScaling Scaling { get; init; } = FeatureScaling.Identity;
    /// <summary>Regression only: the pinned target standardisation.</summary>
    [JsonPropertyName("target"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public TargetScaling? Target { get; init; }
    /// <summary>The SHA-256 of the swarm's model ("0x" + 64 hex digits), as the chain would pin it without a data spec.</summary>
    [JsonPropertyName("model"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Model { get; init; }

    public static DataSpec Mnist { get; } = new();

    [JsonIgnore] public LearningTaskKind TaskKind => DataSource.ParseTask(Task);

    [JsonIgnore] public bool IsDefault => Model is null && Canonical() == Mnist.Canonical();

    /// <summary>Fits a spec on the creator's dataset (already read with the data flags), naming the swarm's model.</summary>
    public static DataSpec Fit(Dataset data, string scalingKind, string? metric, ReadOnlySpan<byte> modelHash) => Validated(new DataSpec
    {
        Model = "0x" + Convert.ToHexStringLower(modelHash),
        Task = DataSource.TaskName(data.Task),
        Metric = Metrics.Metric.ParseHeadline(metric ?? Metrics.Metric.DefaultHeadline(data.Task), data.Task),
        Input = data.SampleShape,
        Classes = data.ClassNames.ToArray(),
        Scaling = FeatureScaling.Fit(scalingKind, data),
        Target = data.IsClassification ? null : TargetScaling.Fit(data),
    });

    private static DataSpec Validated(DataSpec spec)
    {
        spec.Validate();
        return spec;
    }

    public void Validate()
    {
        if (Format != FormatName) throw new FormatException($"format '{Format}' is not {FormatName}");
        var task = DataSource.ParseTask(Task);
        Metrics.Metric.ParseHeadline(Metric, task);
        if (Input.Length == 0 || Input.Any(d => d < 1)) throw new FormatException($"input shape [{string.Join(", ", Input)}] needs positive dimensions");
        if (task == LearningTaskKind.Classification && Classes.Length < 2) throw new FormatException($"a classification spec needs at least 2 classes, it has {Classes.Length}");
        if (task == LearningTaskKind.Regression && Classes.Length != 0) throw new FormatException("a regression spec has no classes");
        if (Classes.Distinct(StringComparer.Ordinal).Count() != Classes.Length) throw new FormatException("the class list names a class twice");
        if (Metric == Metrics.Metric.RocAuc && Classes.Length != 2) throw new FormatException("roc-auc is the headline of binary tasks only (2 classes)");
        Scaling.Validate(Input);
        if (task == LearningTaskKind.Classification && Target is not null) throw new FormatException("a classification spec has no target scaling");
        Target?.Validate();
        if (Model is not null && !(Model.Length == 66 && Model.StartsWith("0x", StringComparison.Ordinal) && Model[2..].All(Uri.IsHexDigit) && Model == Model.ToLowerInvariant()))
            throw new FormatException($"model '{Model}' is not a model hash (0x and 64 lowercase hex digits)");
    }

    private static readonly JsonSerializerOptions Canon = new() { WriteIndented = false };
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Strict = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Keys in sorted order at every level, no whitespace, numbers in .NET's shortest round-trip form.</summary>
    public string Canonical() =>
        $"{{\"classes\":{JsonSerializer.Serialize(Classes, Canon)},\"format\":{JsonSerializer.Serialize(Format)},\"input\":{JsonSerializer.Serialize(Input)}," +
        $"\"metric\":{JsonSerializer.Serialize(Metric)},{(Model is null ? "" : $"\"model\":{JsonSerializer.Serialize(Model)},")}\"scaling\":{{\"kind\":{JsonSerializer.Serialize(Scaling.Kind)},\"scale\":{JsonSerializer.Serialize(Scaling.Scale)}," +
        $"\"shift\":{JsonSerializer.Serialize(Scaling.Shift)}}},{(Target is null ? "" : $"\"target\":{{\"scale\":{JsonSerializer.Serialize(Target.Scale)},\"shift\":{JsonSerializer.Serialize(Target.Shift)}}},")}\"task\":{JsonSerializer.Serialize(Task)}}}";

    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Canonical()));

    /// <summary>
    /// What the chain pins as the model spec for this model: the model's hash itself under the default spec, else this
    /// spec's hash, which requires the spec to name that model.
    /// </summary>
    public byte[] PinnedHash(ReadOnlySpan<byte> modelHash)
    {
        if (IsDefault) return modelHash.ToArray();
        var model = "0x" + Convert.ToHexStringLower(modelHash);
        if (Model is null) throw new FormatException("the data spec names no model; write it with `swarmfl data-spec --model`");
        if (Model != model) throw new FormatException($"the data spec names model {Model}, not {model}; use the swarm's model with its data spec");
        return Hash();
    }

    /// <summary>The model hash a chain's pinned digest stands for under this spec, or an error when the spec is not the pinned one.</summary>
    public byte[] ModelHashPinnedBy(byte[] pinned)
    {
        if (IsDefault) return pinned;
        if (!Hash().AsSpan().SequenceEqual(pinned))
            throw new FormatException($"the chain pins {"0x" + Convert.ToHexStringLower(pinned)}, but this data spec hashes to {"0x" + Convert.ToHexStringLower(Hash())}; use the swarm's --data-spec");
        if (Model is null) throw new FormatException("the data spec names no model");
        return Convert.FromHexString(Model[2..]);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Pretty);

    public static DataSpec FromJson(string json, string what)
    {
        try
        {
            var spec = JsonSerializer.Deserialize<DataSpec>(json, Strict) ?? throw new FormatException("empty");
            spec.Validate();
            return spec;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new DataFileException(what, $"not a valid data spec ({FormatName}): {e.Message}; write one with `swarmfl data-spec`", inner: e);
        }
    }

    public static DataSpec Read(string path)
    {
        try { return FromJson(File.ReadAllText(path), path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot read the data spec: {e.Message}", inner: e);
        }
    }

    /// <summary>Features, then (regression) targets, scaled with the pinned constants.</summary>
    public Dataset Scale(Dataset data) => Target is { } target && !data.IsClassification ? target.Apply(Scaling.Apply(data)) : Scaling.Apply(data);

    /// <summary>The source settings a member reads its data with under this spec (task and class numbering pinned).</summary>
    public DataSource Apply(DataSource source) => source with { Task = TaskKind, ClassNames = TaskKind == LearningTaskKind.Classification ? Classes : null };

    /// <summary>Checks a member's dataset against the spec: same sample shape, same task.</summary>
    public void RequireFits(Dataset data, string path)
    {
        if (data.Task != TaskKind) throw new DataFileException(path, $"the data is read as {DataSource.TaskName(data.Task)}, the swarm's task is {Task}; pass --task {Task}");
        if (!data.SampleShape.SequenceEqual(Input))
            throw new DataFileException(path, $"samples have shape [{string.Join(", ", data.SampleShape)}], the swarm's data spec pins [{string.Join(", ", Input)}]; use the same columns (or --image-size/--channels) as the swarm");
    }
}
