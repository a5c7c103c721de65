using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SwarmFL.Swarm.Storage;

namespace SwarmFL.Swarm.Hosting;

/// <summary>status.json and rounds.jsonl in the data directory (docs/node-files.md).</summary>
public sealed class StatusFiles(string dataDirectory)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public string StatusPath => Path.Combine(dataDirectory, "status.json");
    public string RoundsPath => Path.Combine(dataDirectory, "rounds.jsonl");

    public void WriteStatus(NodeStatusFile status) => AtomicFile.Write(StatusPath, JsonSerializer.SerializeToUtf8Bytes(status, Json));

    public void AppendRound(RoundResultFile result)
    {
        var line = JsonSerializer.Serialize(result, Json) + "\n";
        using var stream = new FileStream(RoundsPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    public static IReadOnlyList<RoundResultFile> ReadRounds(string path) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonSerializer.Deserialize<RoundResultFile>(l, Json)!).ToList()
            : [];
}

public sealed record NodeStatusFile(
    string PeerId, string Address, string? Listen, ulong Round, string Phase, string Role, int? Cluster, string Activity,
    double? Progress, double? LocalAccuracy, double? BaseAccuracy, DateTimeOffset UpdatedAt, bool Stopped, string? Error,
    double? SwarmAccuracy = null);

/// <summary>The swarm's validation of a model: the sample-weighted mean of its members' reports, how many, over how many
/// samples, and where the reports came from ("chain": the members' commits).</summary>
public sealed record SwarmValidationFigures(double Accuracy, int Reports, ulong Samples, string Source);

public sealed record TrafficFigures(long BytesIn, long BytesOut, long MessagesIn, long MessagesOut);

public sealed record RoundResultFile
{
    public required ulong Round { get; init; }
    public int? Cluster { get; init; }
    public string? Role { get; init; }
    public string? BaseModel { get; init; }
    public double? BaseHeldOutAccuracy { get; init; }
    public double? BaseTestAccuracy { get; init; }
    /// <summary>The swarm's accuracy of this round's base model(s), from the validation metrics this round's commits carry.</summary>
    public SwarmValidationFigures? BaseSwarmValidation { get; init; }
    public string? LocalModel { get; init; }
    public double? LocalHeldOutAccuracy { get; init; }
    public double? LocalTestAccuracy { get; init; }
    public ulong Samples { get; init; }
    public string? MergedModel { get; init; }
    public string? SemiGlobalModel { get; init; }
    /// <summary>This node's validation (held-out split) of the round's semi-global model: its report to the swarm.</summary>
    public double? SemiGlobalHeldOutAccuracy { get; init; }
    public double? SemiGlobalTestAccuracy { get; init; }
    public IReadOnlyDictionary<string, double> Seconds { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, TrafficFigures> Traffic { get; init; } = new Dictionary<string, TrafficFigures>();
    /// <summary>True when the round ended while this node was not running (restart): its line comes from the chain and
    /// the state file, with no time or traffic.</summary>
    public bool? Resumed { get; init; }
}
