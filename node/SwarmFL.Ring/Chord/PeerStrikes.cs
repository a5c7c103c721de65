using SwarmFL.Crypto;

namespace SwarmFL.Ring.Chord;

/// <summary>
/// Counts consecutive failures (timeouts, unreachable, invalid answers) per peer. A peer that fails
/// <c>failuresBeforeDrop</c> times in a row is dropped: removed from the routing state by the caller and ignored in
/// answers until <c>dropDuration</c> has passed. A valid answer clears the count. A peer dropped only for being
/// unreachable is reinstated when it shows it is alive again (it calls us: a restarted node); one that gave invalid
/// answers is not.
/// </summary>
public sealed class PeerStrikes(int failuresBeforeDrop, TimeSpan dropDuration, TimeProvider time)
{
    private readonly Dictionary<PeerId, (int Count, bool Lied)> _failures = new();
    private readonly Dictionary<PeerId, (DateTimeOffset Until, bool Lied)> _dropped = new();
    private readonly object _gate = new();

    public void RecordSuccess(PeerId peer)
    {
        lock (_gate) _failures.Remove(peer);
    }

    /// <summary>Returns true when this failure drops the peer. <paramref name="lied"/>: it answered, but not validly.</summary>
    public bool RecordFailure(PeerId peer, bool lied = false)
    {
        lock (_gate)
        {
            var (count, liedBefore) = _failures.GetValueOrDefault(peer);
            count++;
            lied |= liedBefore;
            if (count < failuresBeforeDrop)
            {
                _failures[peer] = (count, lied);
                return false;
            }
            _failures.Remove(peer);
            _dropped[peer] = (time.GetUtcNow() + dropDuration, lied);
            return true;
        }
    }

    public bool IsDropped(PeerId peer)
    {
        lock (_gate)
        {
            if (!_dropped.TryGetValue(peer, out var drop)) return false;
            if (time.GetUtcNow() < drop.Until) return true;
            _dropped.Remove(peer);
            return false;
        }
    }

    /// <summary>The peer reached us: lifts its drop if it was dropped only for being unreachable. True when it is not dropped now.</summary>
    public bool ReinstateIfReachable(PeerId peer)
    {
        lock (_gate)
        {
            if (!_dropped.TryGetValue(peer, out var drop)) return true;
            if (drop.Lied && time.GetUtcNow() < drop.Until) return false;
            _dropped.Remove(peer);
            return true;
        }
    }

    public int DroppedCount
    {
        get { lock (_gate) return _dropped.Count(pair => time.GetUtcNow() < pair.Value.Until); }
    }
}
