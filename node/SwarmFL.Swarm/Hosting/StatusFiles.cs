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
        using var stream = new FileStream(RoundsPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        // A line torn by a crash must not swallow the next one: start on a fresh line.
        if (stream.Length > 0 && ReadLastByte(stream) != '\n') line = "\n" + line;
        stream.Seek(0, SeekOrigin.End);
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    private static int ReadLastByte(FileStream stream)
    {
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte();
    }

    /// <summary>Strict: throws on a malformed line (for checks that a data directory is intact).</summary>
    public static IReadOnlyList<RoundResultFile> ReadRounds(string path) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonSerializer.Deserialize<RoundResultFile>(l, Json)!).ToList()
            : [];

    /// <summary>
    /// Every well-formed line; never throws on a missing or odd file. A torn last line (the node died, or is appending while
    /// we read) or a malformed one is skipped and counted.
    /// </summary>
    public static (IReadOnlyList<RoundResultFile> Records, int Skipped) ReadWellFormedRounds(string path)
    {
        var records = new List<RoundResultFile>();
        var skipped = 0;
        string[] lines;
        try
        {
            if (!File.Exists(path)) return (records, 0);
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return (records, 0);
        }
        foreach (var line in lines.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            try
            {
                if (JsonSerializer.Deserialize<RoundResultFile>(line, Json) is { Round: > 0 } record) records.Add(record);
                else skipped++;
            }
            catch (JsonException)
            {
                skipped++;
            }
        }
        return (records, skipped);
    }
}

public sealed record NodeStatusFile(
    string PeerId, string Address, string? Listen, ulong Round, string Phase, string Role, int? Cluster, string Activity,
    double? Progress, double? LocalAccuracy, double? BaseAccuracy, DateTimeOffset UpdatedAt, bool Stopped, string? Error,
    double? SwarmAccuracy = null, NetworkFigures? Network = null);

/// <summary>The swarm's validation of a model: the sample-weighted mean of its members' reports, how many, over how many
/// samples, and where the reports came from ("chain": the members' commits).</summary>
public sealed record SwarmValidationFigures(double Accuracy, int Reports, ulong Samples, string Source);

public sealed record TrafficFigures(long BytesIn, long BytesOut, long MessagesIn, long MessagesOut);

/// <summary>
/// A round's chain RPC: <c>requests</c> the chain node had to serve (a batch counts once), <c>calls</c> inside them,
/// new-head <c>notifications</c> received over WebSocket, and the calls per method.
/// </summary>
public sealed record ChainRpcFigures(long Requests, long Calls, long Notifications, IReadOnlyDictionary<string, long> CallsByMethod);

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
    /// <summary>This node's JSON-RPC exchanges with the chain during the round.</summary>
    public ChainRpcFigures? ChainRpc { get; init; }
    /// <summary>True when the round ended while this node was not running (restart): its line comes from the chain and
    /// the state file, with no time or traffic.</summary>
    public bool? Resumed { get; init; }
}
