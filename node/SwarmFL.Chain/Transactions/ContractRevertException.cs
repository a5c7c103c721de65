using SwarmFL.Chain.Abi;

namespace SwarmFL.Chain.Transactions;

/// <summary>A call or transaction reverted; <see cref="Reason"/> is the decoded custom error, Error(string) or Panic.</summary>
public sealed class ContractRevertException(string operation, RevertReason reason, byte[]? transactionHash = null, Exception? inner = null)
    : Exception($"{operation} reverted: {reason}", inner)
{
    public string Operation { get; } = operation;
    public RevertReason Reason { get; } = reason;
    public byte[]? TransactionHash { get; } = transactionHash;
}
