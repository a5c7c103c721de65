using SwarmFL.P2P.Resources;
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
    /// <summary>Connection, stream, memory and deadline limits (see <see cref="ResourceLimits"/> for the defaults).</summary>
    public ResourceLimits Limits { get; init; } = new();
    public YamuxOptions Yamux { get; init; } = new();
    /// <summary>Identify every new connection in the background, filling the peer store with its listen addresses.</summary>
    public bool IdentifyOnConnect { get; init; } = true;
}
