using SwarmFL.Crypto;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.Yamux;

namespace SwarmFL.P2P.Hosting;

/// <summary>An upgraded connection (TCP → noise → yamux) to an authenticated peer.</summary>
public sealed class Libp2pConnection
{
    internal Libp2pConnection(PeerId remotePeer, Libp2pPublicKey remoteKey, Multiaddr localAddress, Multiaddr remoteAddress, bool isOutbound, YamuxSession session)
    {
        RemotePeer = remotePeer;
        RemoteKey = remoteKey;
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
        IsOutbound = isOutbound;
        Session = session;
    }

    public PeerId RemotePeer { get; }
    public Libp2pPublicKey RemoteKey { get; }
    public Multiaddr LocalAddress { get; }
    /// <summary>The remote's address as we see it (for inbound connections, its ephemeral port).</summary>
    public Multiaddr RemoteAddress { get; }
    public bool IsOutbound { get; }
    public YamuxSession Session { get; }
    /// <summary>What the resource manager granted this connection; released when it closes.</summary>
    internal Resources.ResourceManager.ConnectionScope? Scope { get; init; }
    public bool IsClosed => Session.IsClosed;
    public Task Closed => Session.Completion;
    public override string ToString() => $"{(IsOutbound ? "→" : "←")} {RemotePeer} {RemoteAddress}";
}
