using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Rpc;

namespace SwarmFL.Chain.Transactions;

/// <summary>A call or transaction reverted; <see cref="Reason"/> is the decoded custom error, Error(string) or Panic.</summary>
public sealed class ContractRevertException(string operation, RevertReason reason, byte[]? transactionHash = null, Exception? inner = null,
    string? message = null)
    : Exception(message ?? $"{operation} reverted: {reason}", inner)
{
    public string Operation { get; } = operation;
    public RevertReason Reason { get; } = reason;
    public byte[]? TransactionHash { get; } = transactionHash;

    /// <summary>The node's revert error, with its revert data decoded against the contract's custom errors.</summary>
    public static ContractRevertException FromRpcError(string operation, JsonRpcErrorException error, IEnumerable<AbiError> knownErrors,
        byte[]? transactionHash = null) =>
        new(operation, RevertReason.Decode(error.RevertData ?? [], knownErrors), transactionHash, error);

    /// <summary>Whether a node's JSON-RPC error reports a revert (EIP-1474 code 3, revert data, or the word in the message).</summary>
    public static bool IsRevert(JsonRpcErrorException error) =>
        error.RevertData is not null || error.Code == 3 || error.RpcMessage.Contains("revert", StringComparison.OrdinalIgnoreCase);
}
