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
    double? Progress, double? LocalAccuracy, double? BaseAccuracy, DateTimeOffset UpdatedAt, bool Stopped, string? Error);

public sealed record TrafficFigures(long BytesIn, long BytesOut, long MessagesIn, long MessagesOut);

public sealed record RoundResultFile
{
    public required ulong Round { get; init; }
    public int? Cluster { get; init; }
    public string? Role { get; init; }
    public string? BaseModel { get; init; }
    public double? BaseHeldOutAccuracy { get; init; }
    public double? BaseTestAccuracy { get; init; }
    public string? LocalModel { get; init; }
    public double? LocalTestAccuracy { get; init; }
    public ulong Samples { get; init; }
    public string? MergedModel { get; init; }
    public string? SemiGlobalModel { get; init; }
    public double? SemiGlobalTestAccuracy { get; init; }
    public IReadOnlyDictionary<string, double> Seconds { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, TrafficFigures> Traffic { get; init; } = new Dictionary<string, TrafficFigures>();
}
