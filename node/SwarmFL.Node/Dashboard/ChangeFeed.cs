using System.Text.Json;
using System.Text.Json.Serialization;

namespace SwarmFL.Node.Dashboard;

/// <summary>One change, as GET /api/events sends it: <c>id: Sequence</c>, <c>event: Kind</c>, <c>data: Data</c>.</summary>
public sealed record DashboardChange(long Sequence, string Kind, string Data);

/// <summary>
/// Folds successive snapshots into an ordered list of changes: a node's row changed ("node"), a round finished or was
/// rescored ("round"), a chain event appeared ("chain", in block and log order), and "ring", "traffic", "baselines",
/// "audit", "swarm", "live". Sequence numbers rise by one per change; a subscriber resumes after the last it saw.
/// </summary>
public sealed class ChangeFeed
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly object _gate = new();
    private readonly List<DashboardChange> _changes = [];
    private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);
    private SwarmSnapshot? _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _eventCount;

    /// <summary>The latest snapshot with the sequence of the last change it includes.</summary>
    public SwarmSnapshot? Current { get { lock (_gate) return _current; } }

    public void Publish(SwarmSnapshot snapshot)
    {
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            var before = _changes.Count;
            foreach (var node in snapshot.Nodes) Diff($"node:{node.Name}", "node", node);
            foreach (var round in snapshot.Rounds) Diff($"round:{round.Round}", "round", round);
            // Chain events only ever append (a reorg on a devnet does not happen; a node follows to a confirmation depth).
            if (snapshot.Events.Count < _eventCount) _eventCount = 0;
            foreach (var e in snapshot.Events.Skip(_eventCount)) Add("chain", JsonSerializer.Serialize(e, Json));
            _eventCount = snapshot.Events.Count;
            Diff("ring", "ring", snapshot.Ring);
            Diff("traffic", "traffic", snapshot.Traffic);
            Diff("baselines", "baselines", snapshot.Baselines);
            Diff("swarm", "swarm", snapshot.Swarm);
            Diff("live", "live", new { snapshot.Live, snapshot.Mode });
            if (snapshot.Audit is not null) Diff("audit", "audit", snapshot.Audit);
            _current = snapshot with { Sequence = _changes.Count == 0 ? 0 : _changes[^1].Sequence };
            if (_changes.Count > before)
            {
                wake = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        wake?.TrySetResult();
    }

    /// <summary>The changes after <paramref name="after"/>, in order; waits for the next one when there are none yet.</summary>
    public async Task<IReadOnlyList<DashboardChange>> NextAsync(long after, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                var index = _changes.FindIndex(c => c.Sequence > after);
                if (index >= 0) return _changes.GetRange(index, _changes.Count - index);
                wait = _changed.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    private void Diff<T>(string key, string kind, T value)
    {
        var json = JsonSerializer.Serialize(value, Json);
        if (_last.TryGetValue(key, out var previous) && previous == json) return;
        _last[key] = json;
        Add(kind, json);
    }

    private void Add(string kind, string json) => _changes.Add(new DashboardChange(_changes.Count + 1, kind, json));
}
