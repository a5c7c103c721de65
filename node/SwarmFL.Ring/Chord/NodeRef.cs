using SwarmFL.Crypto;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Chord;

/// <summary>
/// A ring member as other nodes see it: its PeerId, the ring id that follows from it (never taken from the wire, always
/// recomputed, so a peer cannot claim a position it does not own) and the addresses it can be dialed at.
/// Two refs are the same node when their PeerIds are equal.
/// </summary>
public sealed class NodeRef : IEquatable<NodeRef>
{
    public NodeRef(PeerId peer, IReadOnlyList<string>? addresses = null)
    {
        Peer = peer;
        Id = RingId.Of(peer);
        Addresses = addresses ?? [];
    }

    public PeerId Peer { get; }
    public RingId Id { get; }
    /// <summary>Multiaddrs (without the /p2p part); empty on the in-memory network.</summary>
    public IReadOnlyList<string> Addresses { get; }

    public override string ToString() => $"{Id.ToShortString()}({Peer.ToString()[^6..]})";
    public bool Equals(NodeRef? other) => other is not null && Peer.Equals(other.Peer);
    public override bool Equals(object? obj) => Equals(obj as NodeRef);
    public override int GetHashCode() => Id.GetHashCode();
    public static bool operator ==(NodeRef? a, NodeRef? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(NodeRef? a, NodeRef? b) => !(a == b);
}
