namespace SwarmFL.Chain.Rpc;

/// <summary>A JSON-RPC call failed; the message names the method and the endpoint.</summary>
public class ChainRpcException(string method, Uri endpoint, string problem, Exception? inner = null)
    : Exception($"{method} at {endpoint.ToString().TrimEnd('/')}: {problem}", inner)
{
    public string Method { get; } = method;
    public Uri Endpoint { get; } = endpoint;
}

/// <summary>The chain node could not be reached or kept failing at the transport level after every retry.</summary>
public sealed class ChainUnavailableException(string method, Uri endpoint, string problem, int attempts, Exception? inner = null)
    : ChainRpcException(method, endpoint, $"{problem} after {attempts} attempt{(attempts == 1 ? "" : "s")}", inner)
{
    public int Attempts { get; } = attempts;
}

/// <summary>
/// The node answered with a JSON-RPC error object. Never retried: the same request would fail the same way.
/// <see cref="RevertData"/> holds the revert data when the error is an EVM revert that carried some.
/// </summary>
public sealed class JsonRpcErrorException(string method, Uri endpoint, long code, string rpcMessage, byte[]? revertData)
    : ChainRpcException(method, endpoint, $"error {code}: {rpcMessage}")
{
    public long Code { get; } = code;
    public string RpcMessage { get; } = rpcMessage;
    public byte[]? RevertData { get; } = revertData;
}
