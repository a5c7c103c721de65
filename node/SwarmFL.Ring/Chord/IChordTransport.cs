using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Chord;

/// <summary>
/// The Chord RPCs a node sends, whatever carries them: the in-memory network in tests and simulations, or libp2p
/// streams on /swarmfl/chord/1.0.0. The callee learns who calls from the transport (an authenticated connection), so
/// notify cannot be sent on someone else's behalf.
/// Implementations throw <see cref="PeerUnreachableException"/> when the peer cannot be reached or does not answer in
/// time, and <see cref="InvalidAnswerException"/> when the answer cannot be decoded.
/// </summary>
public interface IChordTransport
{
    Task<LookupStep> FindSuccessorStepAsync(NodeRef target, RingId key, CancellationToken ct);
    Task<Neighbors> GetNeighborsAsync(NodeRef target, CancellationToken ct);
    Task NotifyAsync(NodeRef target, CancellationToken ct);
    Task PingAsync(NodeRef target, CancellationToken ct);
    /// <summary>Graceful leave: tells a neighbour that the caller leaves, and who its own neighbours were.</summary>
    Task LeavingAsync(NodeRef target, NodeRef? predecessor, IReadOnlyList<NodeRef> successors, CancellationToken ct);
}

/// <summary>The Chord RPCs a node answers. The transport passes the authenticated caller.</summary>
public interface IChordService
{
    Task<LookupStep> FindSuccessorStepAsync(RingId key, CancellationToken ct);
    Task<Neighbors> GetNeighborsAsync(CancellationToken ct);
    Task NotifyAsync(NodeRef caller, CancellationToken ct);
    Task LeavingAsync(NodeRef caller, NodeRef? predecessor, IReadOnlyList<NodeRef> successors, CancellationToken ct);
}

public sealed class PeerUnreachableException(NodeRef peer, string message, Exception? inner = null) : Exception(message, inner)
{
    public NodeRef Peer { get; } = peer;
}

public sealed class InvalidAnswerException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class LookupFailedException(RingId key, string message) : Exception(message)
{
    public RingId Key { get; } = key;
}
