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

/// <summary>
/// What a node has exchanged with its chain endpoint, for metrics and cost reports. Thread-safe. A batch is one
/// request (one HTTP exchange) carrying several calls; a WebSocket notification is counted as received, not asked.
/// </summary>
public sealed class RpcTrafficCounter
{
    private readonly ConcurrentDictionary<string, RpcMethodCounts> _byMethod = new(StringComparer.Ordinal);
    private long _requests, _responses, _bytesSent, _bytesReceived, _transportFailures, _calls, _notifications;

    /// <summary>HTTP requests (and WebSocket requests): what the chain node has to serve.</summary>
    public long Requests => Interlocked.Read(ref _requests);
    public long Responses => Interlocked.Read(ref _responses);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    public long TransportFailures => Interlocked.Read(ref _transportFailures);

    /// <summary>JSON-RPC calls, counting each call of a batch.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Subscription notifications received (new heads over WebSocket).</summary>
    public long Notifications => Interlocked.Read(ref _notifications);

    /// <summary>Calls per JSON-RPC method since start.</summary>
    public IReadOnlyDictionary<string, long> CallsByMethod =>
        new SortedDictionary<string, long>(_byMethod.ToDictionary(p => p.Key, p => p.Value.Calls), StringComparer.Ordinal);

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

    internal void RecordCall(string method)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref Method(method)._calls);
    }

    internal void RecordNotification(int bytes)
    {
        Interlocked.Increment(ref _notifications);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void RecordTransportFailure() => Interlocked.Increment(ref _transportFailures);

    /// <summary>Per method: calls (each call of a batch counts, however many attempts it took) and failures.</summary>
    public IReadOnlyDictionary<string, RpcMethodCounts> ByMethod() => new Dictionary<string, RpcMethodCounts>(_byMethod);

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
        $"{Requests} requests ({BytesSent} B, {Calls} calls), {Responses} responses ({BytesReceived} B), {Notifications} notifications, {TransportFailures} transport failures";
}
