using System.Collections.Concurrent;

namespace SwarmFL.Chain.Rpc;

/// <summary>Calls of one JSON-RPC method, and how many of them failed, by kind of failure.</summary>
public sealed class RpcMethodCounts
{
    internal long _calls, _transportErrors, _rpcErrors, _malformed;
    public long Calls => Interlocked.Read(ref _calls);
    /// <summary>Calls that got no usable answer after every retry (refused, reset, timed out, HTTP 5xx/429).</summary>
    public long TransportErrors => Interlocked.Read(ref _transportErrors);
    /// <summary>Calls the node answered with a JSON-RPC error (reverts of eth_call and eth_estimateGas included).</summary>
    public long RpcErrors => Interlocked.Read(ref _rpcErrors);
    /// <summary>Calls whose answer was not valid JSON-RPC.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);
}

/// <summary>Why a JSON-RPC call failed, for the per-method counts.</summary>
public enum RpcFailure { Transport, RpcError, Malformed }

/// <summary>What a node has exchanged with its chain endpoint, for metrics and cost reports. Thread-safe.</summary>
public sealed class RpcTrafficCounter
{
    private long _requests, _responses, _bytesSent, _bytesReceived, _transportFailures;
    private readonly ConcurrentDictionary<string, RpcMethodCounts> _byMethod = new(StringComparer.Ordinal);

    public long Requests => Interlocked.Read(ref _requests);
    public long Responses => Interlocked.Read(ref _responses);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    public long TransportFailures => Interlocked.Read(ref _transportFailures);

    internal void RecordRequest(int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void RecordResponse(int bytes)
    {
        Interlocked.Increment(ref _responses);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void RecordTransportFailure() => Interlocked.Increment(ref _transportFailures);

    /// <summary>Per method: calls (one per <see cref="JsonRpcClient.CallAsync"/>, however many attempts it took) and failures.</summary>
    public IReadOnlyDictionary<string, RpcMethodCounts> ByMethod() => new Dictionary<string, RpcMethodCounts>(_byMethod);

    internal void RecordCall(string method) => Interlocked.Increment(ref Method(method)._calls);

    internal void RecordFailure(string method, RpcFailure failure)
    {
        var counts = Method(method);
        switch (failure)
        {
            case RpcFailure.Transport: Interlocked.Increment(ref counts._transportErrors); break;
            case RpcFailure.RpcError: Interlocked.Increment(ref counts._rpcErrors); break;
            default: Interlocked.Increment(ref counts._malformed); break;
        }
    }

    private RpcMethodCounts Method(string method) => _byMethod.GetOrAdd(method, _ => new RpcMethodCounts());

    public override string ToString() =>
        $"{Requests} requests ({BytesSent} B), {Responses} responses ({BytesReceived} B), {TransportFailures} transport failures";
}
