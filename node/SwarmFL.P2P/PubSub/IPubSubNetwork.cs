using SwarmFL.Crypto;

namespace SwarmFL.P2P.PubSub;

/// <summary>A negotiated stream to or from a peer: its bytes, who is on the other end, and which protocol was agreed.</summary>
public sealed record PubSubStream(PeerId RemotePeer, string Protocol, Stream Stream);

/// <summary>
/// What the router needs from the network: streams per protocol and connection events. The libp2p Host implements it
/// through an adapter; tests implement it in memory with many virtual peers in one process.
/// </summary>
public interface IPubSubNetwork
{
    PeerId LocalPeerId { get; }

    /// <summary>Peers with at least one open connection right now.</summary>
    IReadOnlyCollection<PeerId> ConnectedPeers { get; }

    event Action<PeerId>? PeerConnected;
    event Action<PeerId>? PeerDisconnected;

    /// <summary>Accepts inbound streams negotiated to any of <paramref name="protocols"/>.</summary>
    void SetStreamHandler(IReadOnlyList<string> protocols, Func<PubSubStream, CancellationToken, Task> handler);

    /// <summary>Opens a stream to a connected peer, negotiating the first of <paramref name="protocols"/> it supports.</summary>
    Task<PubSubStream> OpenStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken);
}
