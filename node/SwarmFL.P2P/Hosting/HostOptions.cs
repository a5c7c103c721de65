using SwarmFL.P2P.Yamux;

namespace SwarmFL.P2P.Hosting;

public sealed record HostOptions
{
    /// <summary>Sent in identify.</summary>
    public string AgentVersion { get; init; } = "swarmfl/0.1.0";
    public string ProtocolVersion { get; init; } = "ipfs/0.1.0";
    /// <summary>Time a new connection has to finish multistream, noise and yamux negotiation (slow-loris defence).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Time a new stream has to agree on a protocol.</summary>
    public TimeSpan StreamNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int MaxConnections { get; init; } = 512;
    public int MaxConnectionsPerPeer { get; init; } = 4;
    /// <summary>Inbound connections still handshaking at once; beyond this new sockets are closed immediately.</summary>
    public int MaxPendingInbound { get; init; } = 64;
    public YamuxOptions Yamux { get; init; } = new();
    /// <summary>Identify every new connection in the background, filling the peer store with its listen addresses.</summary>
    public bool IdentifyOnConnect { get; init; } = true;
}
