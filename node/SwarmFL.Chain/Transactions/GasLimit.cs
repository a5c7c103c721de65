namespace SwarmFL.Chain.Transactions;

/// <summary>The gas limit a transaction is sent with: the node's estimate plus a safety margin.</summary>
public static class GasLimit
{
    /// <summary>
    /// EIP-7825 (Osaka): no transaction may ask for more than 2^24 gas, whatever the block's limit. A chain at Osaka
    /// refuses a larger limit outright, so the margin never pushes an estimate that fits over this cap.
    /// </summary>
    public const ulong TransactionCap = 1UL << 24;

    public static ulong WithMargin(ulong estimate, int marginPercent)
    {
        var limit = (ulong)(estimate * (System.Numerics.BigInteger)marginPercent / 100);
        return limit > TransactionCap && estimate <= TransactionCap ? TransactionCap : limit;
    }
}
