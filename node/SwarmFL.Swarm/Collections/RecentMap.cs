using System.Collections.Concurrent;

namespace SwarmFL.Swarm.Collections;

/// <summary>
/// A map that keeps only its most recently added keys: what peers announce by gossip (validation reports per model,
/// endorsements per merge) is kept for the last few, so that a member sending endless new keys costs no memory.
/// </summary>
public sealed class RecentMap<TKey, TValue>(int keep) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();
    private readonly ConcurrentQueue<TKey> _order = new();

    /// <summary>The value of <paramref name="key"/>, made by <paramref name="create"/> when it is new (and the oldest key
    /// dropped past <c>keep</c>).</summary>
    public TValue GetOrAdd(TKey key, Func<TValue> create)
    {
        if (_entries.TryGetValue(key, out var known)) return known;
        var value = _entries.GetOrAdd(key, _ =>
        {
            _order.Enqueue(key);
            return create();
        });
        while (_order.Count > keep && _order.TryDequeue(out var old)) _entries.TryRemove(old, out _);
        return value;
    }

    public bool TryGetValue(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);
}
