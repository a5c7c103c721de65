using SwarmFL.Crypto;

namespace SwarmFL.P2P.PubSub.Router;

/// <summary>What the router knows about one connected pubsub peer. Touched only by the router's event loop.</summary>
internal sealed class PeerState(PeerId id)
{
    public PeerId Id { get; } = id;

    /// <summary>The pubsub protocol the peer speaks (from our outbound stream, else from its inbound one).</summary>
    public string? Protocol { get; set; }

    public PeerOutbound? Outbound { get; set; }
    public bool OpeningOutbound { get; set; }

    /// <summary>How often our outbound stream broke and was reopened while the connection stayed up.</summary>
    public int OutboundReopens { get; set; }

    /// <summary>RPCs addressed to the peer while our outbound stream is still being opened; sent once it is.</summary>
    public List<Wire.RPC> Pending { get; } = [];

    /// <summary>Topics the peer announced it subscribes to.</summary>
    public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);

    /// <summary>IHAVE messages received from the peer in this heartbeat.</summary>
    public int IHavesThisHeartbeat { get; set; }

    /// <summary>Message ids we asked the peer for in this heartbeat.</summary>
    public int IWantedThisHeartbeat { get; set; }

    public bool CanSend => Outbound is not null;
    public bool IsGossipSub => PubSubProtocols.IsGossipSub(Protocol);
    public bool IsFloodSub => Protocol == PubSubProtocols.FloodSub;
}
