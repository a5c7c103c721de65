using System.Collections.Concurrent;

namespace SwarmFL.Chain.Rpc;

/// <summary>
/// What a node has exchanged with its chain endpoint, for metrics and cost reports. Thread-safe. A batch is one
/// request (one HTTP exchange) carrying several calls; a WebSocket notification is counted as received, not asked.
/// </summary>
public sealed class RpcTrafficCounter
{
    private readonly ConcurrentDictionary<string, long> _callsByMethod = new(StringComparer.Ordinal);
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
    public IReadOnlyDictionary<string, long> CallsByMethod => new SortedDictionary<string, long>(_callsByMethod, StringComparer.Ordinal);

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
        _callsByMethod.AddOrUpdate(method, 1, (_, n) => n + 1);
    }

    internal void RecordNotification(int bytes)
    {
        Interlocked.Increment(ref _notifications);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void RecordTransportFailure() => Interlocked.Increment(ref _transportFailures);

    public override string ToString() =>
        $"{Requests} requests ({BytesSent} B, {Calls} calls), {Responses} responses ({BytesReceived} B), {Notifications} notifications, {TransportFailures} transport failures";
}
