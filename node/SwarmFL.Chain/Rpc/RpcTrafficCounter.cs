namespace SwarmFL.Chain.Rpc;

/// <summary>What a node has exchanged with its chain endpoint, for metrics and cost reports. Thread-safe.</summary>
public sealed class RpcTrafficCounter
{
    private long _requests, _responses, _bytesSent, _bytesReceived, _transportFailures;

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

    public override string ToString() =>
        $"{Requests} requests ({BytesSent} B), {Responses} responses ({BytesReceived} B), {TransportFailures} transport failures";
}
