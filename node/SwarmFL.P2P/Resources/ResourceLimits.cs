namespace SwarmFL.P2P.Resources;

/// <summary>
/// What one host lets the network take from it, in the spirit of go-libp2p's resource manager. Every default is
/// chosen so that a swarm of a few hundred members never meets it while one hostile address, subnet or key cannot
/// take the node down. A user changes any of them with a JSON file (<c>--limits</c>; camelCase property names,
/// durations as "hh:mm:ss"). Members are the keys the membership source knows (registered on chain, or allowed
/// auditors); everyone else is an outsider and gets the tighter outsider limits.
/// </summary>
public sealed record ResourceLimits
{
    // ---- connections, before and after the handshake (counted per remote IP, per /24 or /64, and in total) ----

    /// <summary>Inbound connections still handshaking (noise + yamux) at once, in total.</summary>
    public int MaxPendingHandshakes { get; init; } = 64;
    /// <summary>Inbound connections still handshaking from one IP address.</summary>
    public int MaxPendingHandshakesPerIp { get; init; } = 4;
    /// <summary>Inbound connections still handshaking from one /24 (IPv4) or /64 (IPv6) subnet.</summary>
    public int MaxPendingHandshakesPerSubnet { get; init; } = 16;
    /// <summary>Open connections, in and out.</summary>
    public int MaxConnections { get; init; } = 512;
    /// <summary>Open inbound connections from one IP address (PeerIds cost nothing; addresses cost something).</summary>
    public int MaxConnectionsPerIp { get; init; } = 16;
    /// <summary>Open inbound connections from one /24 or /64 subnet.</summary>
    public int MaxConnectionsPerSubnet { get; init; } = 64;
    /// <summary>Open connections to one PeerId.</summary>
    public int MaxConnectionsPerPeer { get; init; } = 4;

    // ---- inbound streams: counted per connection and per peer; each reserves its receive window of memory ----

    /// <summary>Inbound streams one member may have open on one connection.</summary>
    public int MaxMemberStreamsPerConnection { get; init; } = 256;
    /// <summary>Inbound streams an outsider may have open on one connection (identify, ping, swarm info need few).</summary>
    public int MaxOutsiderStreamsPerConnection { get; init; } = 8;
    /// <summary>Memory (receive windows) a member's streams may reserve on one connection.</summary>
    public long MemberMemoryPerConnection { get; init; } = 64L << 20;
    /// <summary>Memory a member's streams may reserve over all its connections.</summary>
    public long MemberMemoryPerPeer { get; init; } = 128L << 20;
    /// <summary>Memory an outsider's streams may reserve on one connection.</summary>
    public long OutsiderMemoryPerConnection { get; init; } = 2L << 20;
    /// <summary>Memory an outsider's streams may reserve over all its connections.</summary>
    public long OutsiderMemoryPerPeer { get; init; } = 4L << 20;
    /// <summary>Memory all inbound streams of the host may reserve together.</summary>
    public long MaxStreamMemory { get; init; } = 1L << 30;

    // ---- stream deadlines ----

    /// <summary>An inbound stream on which no byte moves either way for this long is reset (long-lived protocols such as gossipsub opt out).</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A single read on an inbound stream that waits this long for its first byte resets the stream.</summary>
    public TimeSpan StreamReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    // ---- logging ----

    /// <summary>Refusals are summed and logged once per reason per interval, never once per attempt.</summary>
    public TimeSpan RefusalLogInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// These limits for a host whose <paramref name="peers"/> peers all reach it from one address (a devnet on one
    /// machine, members behind one NAT): the per-address and per-subnet caps, and the totals, are raised so that every
    /// peer can handshake at once and hold two connections (two peers dialling each other at once); nothing else changes.
    /// </summary>
    public ResourceLimits SharingOneAddress(int peers) => this with
    {
        MaxPendingHandshakes = Math.Max(MaxPendingHandshakes, peers),
        MaxPendingHandshakesPerIp = Math.Max(MaxPendingHandshakesPerIp, peers),
        MaxPendingHandshakesPerSubnet = Math.Max(MaxPendingHandshakesPerSubnet, peers),
        MaxConnections = Math.Max(MaxConnections, 2 * peers),
        MaxConnectionsPerIp = Math.Max(MaxConnectionsPerIp, 2 * peers),
        MaxConnectionsPerSubnet = Math.Max(MaxConnectionsPerSubnet, 2 * peers),
    };

    /// <summary>Checks that every limit is usable; the message names the property.</summary>
    public ResourceLimits Validated()
    {
        Require(MaxPendingHandshakes, nameof(MaxPendingHandshakes));
        Require(MaxPendingHandshakesPerIp, nameof(MaxPendingHandshakesPerIp));
        Require(MaxPendingHandshakesPerSubnet, nameof(MaxPendingHandshakesPerSubnet));
        Require(MaxConnections, nameof(MaxConnections));
        Require(MaxConnectionsPerIp, nameof(MaxConnectionsPerIp));
        Require(MaxConnectionsPerSubnet, nameof(MaxConnectionsPerSubnet));
        Require(MaxConnectionsPerPeer, nameof(MaxConnectionsPerPeer));
        Require(MaxMemberStreamsPerConnection, nameof(MaxMemberStreamsPerConnection));
        Require(MaxOutsiderStreamsPerConnection, nameof(MaxOutsiderStreamsPerConnection));
        Require(MemberMemoryPerConnection, nameof(MemberMemoryPerConnection));
        Require(MemberMemoryPerPeer, nameof(MemberMemoryPerPeer));
        Require(OutsiderMemoryPerConnection, nameof(OutsiderMemoryPerConnection));
        Require(OutsiderMemoryPerPeer, nameof(OutsiderMemoryPerPeer));
        Require(MaxStreamMemory, nameof(MaxStreamMemory));
        if (StreamIdleTimeout <= TimeSpan.Zero) throw new ArgumentException($"{nameof(StreamIdleTimeout)} must be positive");
        if (StreamReadTimeout <= TimeSpan.Zero) throw new ArgumentException($"{nameof(StreamReadTimeout)} must be positive");
        if (RefusalLogInterval <= TimeSpan.Zero) throw new ArgumentException($"{nameof(RefusalLogInterval)} must be positive");
        return this;

        static void Require(long value, string name)
        {
            if (value <= 0) throw new ArgumentException($"{name} must be at least 1 (it is {value})");
        }
    }
}
