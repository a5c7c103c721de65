namespace SwarmFL.P2P.Resources;

/// <summary>What a refusal turned away.</summary>
public enum RefusedKind
{
    Connection,
    Stream,
    Bytes,
    Message,
}

/// <summary>Why the host turned something away; the names are stable (status files and metrics use them).</summary>
public enum RefusalReason
{
    PendingHandshakesTotal,
    PendingHandshakesPerIp,
    PendingHandshakesPerSubnet,
    ConnectionsTotal,
    ConnectionsPerIp,
    ConnectionsPerSubnet,
    ConnectionsPerPeer,
    HandshakeFailed,
    GatedPeer,
    StreamsPerConnection,
    NegotiationFailed,
    StreamMemoryPerConnection,
    StreamMemoryPerPeer,
    StreamMemoryTotal,
    MembersOnlyProtocol,
    StreamIdle,
    StreamReadDeadline,
    YamuxOutboundQueue,
    YamuxControlFlood,
    NonMemberMessage,
    InvalidMessage,
    ValidationQueueFull,
    NotAReplicaHolder,
    WrongBlobSize,
    DiskQuota,
    ExpiredBlob,
}

/// <summary>A limit said no: which one, and who asked. Thrown where a caller needs to tell it from an I/O failure.</summary>
public sealed class ResourceLimitException(RefusalReason reason, string message) : IOException(message)
{
    public RefusalReason Reason { get; } = reason;
}
