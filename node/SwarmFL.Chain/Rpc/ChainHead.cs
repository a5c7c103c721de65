namespace SwarmFL.Chain.Rpc;

/// <summary>A block as far as following the chain needs it: its number and timestamp (seconds).</summary>
public sealed record ChainHeadInfo(ulong Number, ulong Timestamp);

/// <summary>
/// The newest block this node knows of, fed by whoever learns of one first (the new-heads subscription, the poll, the
/// receipt of our own transaction). Only moves forward. Thread-safe.
/// </summary>
public sealed class ChainHead
{
    private long _number = -1;

    /// <summary>The newest known block number, or null before any is known.</summary>
    public ulong? Number => Interlocked.Read(ref _number) is var n and >= 0 ? (ulong)n : null;

    /// <summary>Records block <paramref name="number"/>; true when it is newer than what was known.</summary>
    public bool Advance(ulong number)
    {
        var wanted = (long)Math.Min(number, long.MaxValue);
        while (true)
        {
            var known = Interlocked.Read(ref _number);
            if (wanted <= known) return false;
            if (Interlocked.CompareExchange(ref _number, wanted, known) == known)
            {
                Advanced?.Invoke(number);
                return true;
            }
        }
    }

    /// <summary>Raised (on the caller's thread) when the head moves forward.</summary>
    public event Action<ulong>? Advanced;
}
