using System.Text.Json;
using System.Text.Json.Serialization;
using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Storage;

/// <summary>What this node did in one round that the chain does not keep for it: its trained model before commit.</summary>
public sealed record RoundRecord
{
    public required ulong Round { get; init; }
    public required string BaseModel { get; init; }
    public double? BaseAccuracy { get; init; }
    public string? LocalModel { get; init; }
    public ulong LocalSamples { get; init; }
    /// <summary>
    /// The local model's accuracy on this node's HELD-OUT split (not on its training data, despite the name kept for
    /// state files already written): the learner no longer scores the training set, to keep that off the round's
    /// critical path.
    /// </summary>
    public double? LocalTrainAccuracy { get; init; }
}

/// <summary>
/// The node's round state in its data directory. Written atomically after every change; a file that cannot be read is
/// moved aside (never deleted) and the node rebuilds from the chain, which is the source of truth.
/// </summary>
public sealed class NodeStateStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly string _path;
    private readonly object _gate = new();
    private readonly SortedDictionary<ulong, RoundRecord> _rounds = [];

    public NodeStateStore(string path, Serilog.ILogger? log = null)
    {
        _path = path;
        if (!File.Exists(path)) return;
        try
        {
            var records = JsonSerializer.Deserialize<List<RoundRecord>>(File.ReadAllBytes(path), Json) ?? [];
            foreach (var record in records) _rounds[record.Round] = record;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            var aside = $"{path}.unreadable-{DateTime.UtcNow:yyyyMMddHHmmss}";
            File.Move(path, aside);
            (log ?? Serilog.Log.Logger).Warning("Round state {Path} was unreadable ({Error}); moved to {Aside}, rebuilding from the chain", path, e.Message, aside);
        }
    }

    public RoundRecord? Get(ulong round)
    {
        lock (_gate) return _rounds.GetValueOrDefault(round);
    }

    public IReadOnlyList<RoundRecord> All()
    {
        lock (_gate) return _rounds.Values.ToList();
    }

    public void Put(RoundRecord record)
    {
        lock (_gate)
        {
            _rounds[record.Round] = record;
            AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(_rounds.Values.ToList(), Json));
        }
    }

    public static ContentId? ParseId(string? text) => text is not null && ContentId.TryParse(text, out var id) ? id : null;
}
