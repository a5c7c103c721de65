using System.Collections.Concurrent;

namespace SwarmFL.P2P.Resources;

/// <summary>
/// Plain monotonic counters of what was refused, per kind and reason, for status files and metrics exporters.
/// Bytes count the payload a refusal kept off the node when it is known (a refused blob's announced size).
/// </summary>
public sealed class RefusalCounters
{
    private readonly ConcurrentDictionary<(RefusedKind Kind, RefusalReason Reason), StrongBox> _counts = new();

    public void Add(RefusedKind kind, RefusalReason reason, long amount = 1) =>
        Interlocked.Add(ref _counts.GetOrAdd((kind, reason), _ => new StrongBox()).Value, amount);

    public long Get(RefusedKind kind, RefusalReason reason) =>
        _counts.TryGetValue((kind, reason), out var box) ? Interlocked.Read(ref box.Value) : 0;

    public long Total(RefusedKind kind) => _counts.Where(p => p.Key.Kind == kind).Sum(p => Interlocked.Read(ref p.Value.Value));

    /// <summary>Every non-zero counter, e.g. <c>{ connections: { pendingHandshakesPerIp: 12 } }</c>-shaped by the caller.</summary>
    public IReadOnlyList<(RefusedKind Kind, RefusalReason Reason, long Count)> Snapshot() =>
        _counts.Select(p => (p.Key.Kind, p.Key.Reason, Interlocked.Read(ref p.Value.Value)))
            .Where(c => c.Item3 > 0).OrderBy(c => c.Kind).ThenBy(c => c.Reason).ToArray();

    private sealed class StrongBox
    {
        public long Value;
    }
}
