using System.Net;
using SwarmFL.Crypto;
using SwarmFL.P2P.Membership;
using SwarmFL.P2P.Resources;

namespace SwarmFL.P2P.Tests.Resources;

public sealed class ResourceManagerTests
{
    [Fact]
    public void Handshake_slots_are_limited_per_ip_then_per_subnet_and_come_back_when_released()
    {
        var manager = new ResourceManager(new ResourceLimits { MaxPendingHandshakesPerIp = 2, MaxPendingHandshakesPerSubnet = 3, MaxPendingHandshakes = 10 });
        var a1 = manager.TryAdmitHandshake(IPAddress.Parse("10.0.0.1"));
        var a2 = manager.TryAdmitHandshake(IPAddress.Parse("10.0.0.1"));
        Assert.NotNull(a1);
        Assert.NotNull(a2);
        Assert.Null(manager.TryAdmitHandshake(IPAddress.Parse("10.0.0.1")));            // per IP
        var b = manager.TryAdmitHandshake(IPAddress.Parse("::ffff:10.0.0.2"));          // same /24, mapped form
        Assert.NotNull(b);
        Assert.Null(manager.TryAdmitHandshake(IPAddress.Parse("10.0.0.3")));            // per /24
        Assert.NotNull(manager.TryAdmitHandshake(IPAddress.Parse("10.0.1.1")));         // another /24
        Assert.Equal(1, manager.Refusals.Get(RefusedKind.Connection, RefusalReason.PendingHandshakesPerIp));
        Assert.Equal(1, manager.Refusals.Get(RefusedKind.Connection, RefusalReason.PendingHandshakesPerSubnet));
        a1!.Dispose();
        a1.Dispose(); // a lease releases once
        Assert.NotNull(manager.TryAdmitHandshake(IPAddress.Parse("10.0.0.3")));
        Assert.Null(manager.TryAdmitHandshake(IPAddress.Parse("10.0.0.4")));
        Assert.Equal(4, manager.Usage().PendingHandshakes);
    }

    [Fact]
    public void Limits_for_peers_sharing_one_address_let_each_of_them_handshake_at_once_and_change_nothing_else()
    {
        const int Peers = 31; // a 32-node devnet on one machine
        var defaults = new ResourceLimits();
        var shared = defaults.SharingOneAddress(Peers);
        var loopback = IPAddress.Loopback;

        var strict = new ResourceManager(defaults);
        var strictLeases = Enumerable.Range(0, Peers).Select(_ => strict.TryAdmitHandshake(loopback)).ToList();
        Assert.Contains(null, strictLeases); // the defaults refuse the swarm's own joins from one address
        var manager = new ResourceManager(shared);
        Assert.All(Enumerable.Range(0, Peers).Select(_ => manager.TryAdmitHandshake(loopback)), lease => Assert.NotNull(lease));
        Assert.Null(manager.TryAdmitHandshake(loopback)); // still a bound, one past the peers

        Assert.True(shared.MaxConnectionsPerIp >= 2 * Peers && shared.MaxConnectionsPerSubnet >= 2 * Peers && shared.MaxConnections >= 2 * Peers);
        Assert.Equal(defaults with
        {
            MaxPendingHandshakes = shared.MaxPendingHandshakes, MaxPendingHandshakesPerIp = shared.MaxPendingHandshakesPerIp,
            MaxPendingHandshakesPerSubnet = shared.MaxPendingHandshakesPerSubnet, MaxConnections = shared.MaxConnections,
            MaxConnectionsPerIp = shared.MaxConnectionsPerIp, MaxConnectionsPerSubnet = shared.MaxConnectionsPerSubnet,
        }, shared);
        Assert.Equal(defaults, defaults.SharingOneAddress(1)); // a few peers are within the defaults already
    }

    [Fact]
    public void Ipv6_addresses_share_a_subnet_per_64()
    {
        var manager = new ResourceManager(new ResourceLimits { MaxPendingHandshakesPerIp = 5, MaxPendingHandshakesPerSubnet = 1 });
        Assert.NotNull(manager.TryAdmitHandshake(IPAddress.Parse("2001:db8:1:2::1")));
        Assert.Null(manager.TryAdmitHandshake(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotNull(manager.TryAdmitHandshake(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public void Outsiders_get_fewer_streams_and_less_memory_than_members()
    {
        var member = NodeKey.Generate().PeerId;
        var outsider = NodeKey.Generate().PeerId;
        var manager = new ResourceManager(new ResourceLimits { MaxOutsiderStreamsPerConnection = 100, OutsiderMemoryPerConnection = 1 << 20 }, new Only(member));
        var memberConnection = manager.TryAdmitConnection(member, IPAddress.Loopback)!;
        var outsiderConnection = manager.TryAdmitConnection(outsider, IPAddress.Loopback)!;
        const int window = 256 * 1024;
        var outsiderStreams = Enumerable.Range(0, 10).Select(_ => manager.TryAdmitInboundStream(outsiderConnection, window)).ToArray();
        Assert.Equal(4, outsiderStreams.Count(s => s is not null)); // 1 MiB of 256 KiB windows
        Assert.Equal(10, Enumerable.Range(0, 10).Count(_ => manager.TryAdmitInboundStream(memberConnection, window) is not null));
        Assert.Equal(6, manager.Refusals.Get(RefusedKind.Stream, RefusalReason.StreamMemoryPerConnection));
        foreach (var stream in outsiderStreams) stream?.Dispose();
        Assert.NotNull(manager.TryAdmitInboundStream(outsiderConnection, window));
    }

    [Fact]
    public void Connections_are_limited_per_ip_and_per_peer()
    {
        var manager = new ResourceManager(new ResourceLimits { MaxConnectionsPerIp = 2, MaxConnectionsPerPeer = 1 });
        var peer = NodeKey.Generate().PeerId;
        var first = manager.TryAdmitConnection(peer, IPAddress.Parse("192.0.2.1"));
        Assert.NotNull(first);
        Assert.Null(manager.TryAdmitConnection(peer, IPAddress.Parse("192.0.2.7")));                    // per peer
        Assert.NotNull(manager.TryAdmitConnection(NodeKey.Generate().PeerId, IPAddress.Parse("192.0.2.1")));
        Assert.Null(manager.TryAdmitConnection(NodeKey.Generate().PeerId, IPAddress.Parse("192.0.2.1"))); // per IP
        Assert.NotNull(manager.TryAdmitConnection(NodeKey.Generate().PeerId, null));                   // outbound: ours
        first!.Dispose();
        Assert.NotNull(manager.TryAdmitConnection(peer, IPAddress.Parse("192.0.2.7")));
    }

    private sealed class Only(PeerId member) : IPeerMembership
    {
        public bool IsMember(PeerId peer) => peer == member;
    }
}
