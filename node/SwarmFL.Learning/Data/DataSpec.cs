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
/// swarm's creator writes it once (<c>swarmfl data-spec</c>, fitted on the creator's data) and pins it with the model:
/// the chain's model-spec hash is <see cref="PinnedHash"/> of the model's hash and this spec's canonical hash. The
/// default spec (MNIST: classification, accuracy, no extra scaling) pins the model's hash unchanged, so swarms that
/// name no data spec are exactly as before.
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

    public static DataSpec Mnist { get; } = new();

    public LearningTaskKind TaskKind => DataSource.ParseTask(Task);

    public bool IsDefault => Canonical() == Mnist.Canonical();

    /// <summary>Fits a spec on the creator's dataset (already read with the data flags).</summary>
    public static DataSpec Fit(Dataset data, string scalingKind, string? metric = null) => Validated(new DataSpec
    {
        Task = DataSource.TaskName(data.Task),
        Metric = Metrics.Metric.ParseHeadline(metric ?? Metrics.Metric.DefaultHeadline(data.Task), data.Task),
        Input = data.SampleShape,
        Classes = data.ClassNames.ToArray(),
        Scaling = FeatureScaling.Fit(scalingKind, data),
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
    }

    private static readonly JsonSerializerOptions Canon = new() { WriteIndented = false };
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Strict = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Keys in sorted order at every level, no whitespace, numbers in .NET's shortest round-trip form.</summary>
    public string Canonical() =>
        $"{{\"classes\":{JsonSerializer.Serialize(Classes, Canon)},\"format\":{JsonSerializer.Serialize(Format)},\"input\":{JsonSerializer.Serialize(Input)}," +
        $"\"metric\":{JsonSerializer.Serialize(Metric)},\"scaling\":{{\"kind\":{JsonSerializer.Serialize(Scaling.Kind)},\"scale\":{JsonSerializer.Serialize(Scaling.Scale)}," +
        $"\"shift\":{JsonSerializer.Serialize(Scaling.Shift)}}},\"task\":{JsonSerializer.Serialize(Task)}}}";

    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Canonical()));

    /// <summary>What the chain pins as the model spec: the model's hash itself for the default spec, else SHA-256 of a domain tag, both hashes.</summary>
    public byte[] PinnedHash(ReadOnlySpan<byte> modelHash)
    {
        if (IsDefault) return modelHash.ToArray();
        var tag = "swarmfl-swarm-spec/1\n"u8;
        var buffer = new byte[tag.Length + modelHash.Length + 32];
        tag.CopyTo(buffer);
        modelHash.CopyTo(buffer.AsSpan(tag.Length));
        Hash().CopyTo(buffer.AsSpan(tag.Length + modelHash.Length));
        return SHA256.HashData(buffer);
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
