namespace SwarmFL.Chain.Transactions;

/// <summary>
/// What a <see cref="TransactionSender"/> has done since it was made, for metrics: transactions the node accepted,
/// those that reverted (at send or in their receipt), those sent again (a nonce conflict re-signed, an out-of-gas
/// re-estimated), and the gas the successful ones used. Thread-safe.
/// </summary>
public sealed class TransactionCounters
{
    private long _sent, _reverted, _resent, _gasUsed;

    public long Sent => Interlocked.Read(ref _sent);
    public long Reverted => Interlocked.Read(ref _reverted);
    public long Resent => Interlocked.Read(ref _resent);
    /// <summary>Gas of the transactions whose receipt succeeded.</summary>
    public long GasUsed => Interlocked.Read(ref _gasUsed);

    internal void RecordSent() => Interlocked.Increment(ref _sent);
    internal void RecordReverted() => Interlocked.Increment(ref _reverted);
    internal void RecordResent() => Interlocked.Increment(ref _resent);
    internal void RecordGasUsed(ulong gas) => Interlocked.Add(ref _gasUsed, (long)Math.Min(gas, long.MaxValue));
}
