namespace SwarmFL.Ring.Identifiers;

/// <summary>
/// Intervals on the identifier circle, read clockwise from <c>from</c> to <c>to</c>, wrapping past 2²⁵⁶ − 1 to 0.
/// Equal endpoints mean the whole circle, as in the Chord paper: (a, a] and [a, a) and [a, a] hold every id, the open
/// (a, a) holds every id except a. So a node that is its own successor owns every key, and a lone node accepts any
/// other node as predecessor or successor.
/// </summary>
public static class RingInterval
{
    /// <summary>x ∈ (from, to).</summary>
    public static bool Open(RingId x, RingId from, RingId to)
    {
        if (from == to) return x != from;
        var offset = x - from;
        return offset != RingId.Zero && offset < to - from;
    }

    /// <summary>x ∈ (from, to]: the keys a node <c>to</c> owns when <c>from</c> is its predecessor.</summary>
    public static bool OpenClosed(RingId x, RingId from, RingId to)
    {
        if (from == to || x == to) return true;
        var offset = x - from;
        return offset != RingId.Zero && offset < to - from;
    }

    /// <summary>x ∈ [from, to).</summary>
    public static bool ClosedOpen(RingId x, RingId from, RingId to)
    {
        if (from == to) return true;
        return x - from < to - from;
    }

    /// <summary>x ∈ [from, to].</summary>
    public static bool Closed(RingId x, RingId from, RingId to)
    {
        if (from == to || x == to) return true;
        return x - from < to - from;
    }
}
