using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SwarmFL.Node.Devnet;

/// <summary>A node's status.json (docs/node-files.md).</summary>
public sealed record NodeStatus
{
    public string? PeerId { get; init; }
    public string? Address { get; init; }
    public string? Listen { get; init; }
    public long? Round { get; init; }
    public string? Phase { get; init; }
    public string? Role { get; init; }
    public long? Cluster { get; init; }
    public string? Activity { get; init; }
    public double? Progress { get; init; }
    public double? LocalAccuracy { get; init; }
    public double? BaseAccuracy { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public bool Stopped { get; init; }
    public string? Error { get; init; }
}

/// <summary>Bytes and messages of one protocol in one round.</summary>
public sealed record TrafficCount
{
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }
    public long MessagesIn { get; init; }
    public long MessagesOut { get; init; }

    public TrafficCount Plus(TrafficCount other) => new()
    {
        BytesIn = BytesIn + other.BytesIn, BytesOut = BytesOut + other.BytesOut,
        MessagesIn = MessagesIn + other.MessagesIn, MessagesOut = MessagesOut + other.MessagesOut,
    };
}

/// <summary>One line of a node's rounds.jsonl (docs/node-files.md).</summary>
public sealed record NodeRoundRecord
{
    public long Round { get; init; }
    public long? Cluster { get; init; }
    public string? Role { get; init; }
    public string? BaseModel { get; init; }
    public double? BaseHeldOutAccuracy { get; init; }
    public double? BaseTestAccuracy { get; init; }
    public string? LocalModel { get; init; }
    public double? LocalTestAccuracy { get; init; }
    public long? Samples { get; init; }
    public string? MergedModel { get; init; }
    public string? SemiGlobalModel { get; init; }
    public double? SemiGlobalTestAccuracy { get; init; }
    /// <summary>Time spent in the round by kind of work ("round", "train", "transfer", "chain", "aggregate", … as the node reports).</summary>
    public Dictionary<string, double>? Seconds { get; init; }
    public Dictionary<string, TrafficCount>? Traffic { get; init; }
}

/// <summary>Reads the files a running node writes. Readers never throw on a missing or odd file: a node may not have written it yet.</summary>
public static class NodeFiles
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        WriteIndented = true,
    };

    public static NodeStatus? ReadStatus(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<NodeStatus>(File.ReadAllBytes(path), Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Every well-formed line; a torn last line (appended while we read) or a malformed one is skipped and counted.</summary>
    public static (IReadOnlyList<NodeRoundRecord> Records, int Skipped) ReadRounds(string path)
    {
        var records = new List<NodeRoundRecord>();
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
                if (JsonSerializer.Deserialize<NodeRoundRecord>(line, Json) is { Round: > 0 } record) records.Add(record);
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
