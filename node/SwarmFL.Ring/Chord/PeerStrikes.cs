using SwarmFL.Crypto;

namespace SwarmFL.Ring.Chord;

/// <summary>
/// Counts consecutive failures (timeouts, unreachable, invalid answers) per peer. A peer that fails
/// <c>failuresBeforeDrop</c> times in a row is dropped: removed from the routing state by the caller and ignored in
/// answers until <c>dropDuration</c> has passed. A valid answer clears the count.
/// </summary>
public sealed class PeerStrikes(int failuresBeforeDrop, TimeSpan dropDuration, TimeProvider time)
{
    private readonly Dictionary<PeerId, int> _failures = new();
    private readonly Dictionary<PeerId, DateTimeOffset> _droppedUntil = new();
    private readonly object _gate = new();

    public void RecordSuccess(PeerId peer)
    {
        lock (_gate) _failures.Remove(peer);
    }

    /// <summary>Returns true when this failure drops the peer.</summary>
    public bool RecordFailure(PeerId peer)
    {
        lock (_gate)
        {
            var count = _failures.GetValueOrDefault(peer) + 1;
            if (count < failuresBeforeDrop)
            {
                _failures[peer] = count;
                return false;
            }
            _failures.Remove(peer);
            _droppedUntil[peer] = time.GetUtcNow() + dropDuration;
            return true;
        }
    }

    public bool IsDropped(PeerId peer)
    {
        lock (_gate)
        {
            if (!_droppedUntil.TryGetValue(peer, out var until)) return false;
            if (time.GetUtcNow() < until) return true;
            _droppedUntil.Remove(peer);
            return false;
        }
    }

    public int DroppedCount
    {
        get { lock (_gate) return _droppedUntil.Count(pair => time.GetUtcNow() < pair.Value); }
    }
}
