using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Network;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Ring.Tests.Network;

/// <summary>A replica fetched over libp2p reports its bytes as they arrive, for the node's transfer progress bars.</summary>
public sealed class FetchProgressTests : IAsyncLifetime
{
    private readonly List<Libp2pHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    private (NodeRef Self, ReplicatedModelStore Store, Libp2pRingTransport Transport) StartMember()
    {
        var host = new Libp2pHost(NodeKey.Generate());
        host.Resources.Membership = SwarmFL.P2P.Membership.PeerMemberships.Everybody; // a ring without a swarm
        _hosts.Add(host);
        host.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        var self = new NodeRef(host.LocalPeerId, host.ListenAddresses.Select(a => a.WithoutPeerId().ToString()).ToArray());
        var transport = new Libp2pRingTransport(host, TimeSpan.FromSeconds(10));
        var node = new ChordNode(self, transport, new ChordOptions());
        var store = new ReplicatedModelStore(node, new MemoryBlobStore(), transport, replicas: 1);
        RingProtocolServer.Serve(host, node, store);
        return (self, store, transport);
    }

    private sealed class Recorded : IProgress<long>
    {
        public List<long> Reports { get; } = [];
        public void Report(long value) => Reports.Add(value);
    }

    [Fact]
    public async Task A_fetch_reports_a_growing_byte_count_that_ends_at_the_blob_size()
    {
        var holder = StartMember();
        var fetcher = StartMember();
        var content = new byte[1_000_000];
        new Random(7).NextBytes(content);
        var cid = ContentId.Of(content);
        holder.Store.Local.Put(cid, content);

        var received = new Recorded();
        var fetched = await fetcher.Transport.FetchAsync(holder.Self, cid, received, default);

        Assert.Equal(content, fetched);
        Assert.True(received.Reports.Count > 1, $"only {received.Reports.Count} report(s) for a blob of {content.Length} bytes");
        Assert.Equal(received.Reports.Order(), received.Reports);
        Assert.Equal(received.Reports.Distinct().Count(), received.Reports.Count);
        Assert.Equal(content.Length, received.Reports[^1]);

        var none = new Recorded();
        Assert.Null(await fetcher.Transport.FetchAsync(holder.Self, ContentId.Of("never stored"u8), none, default));
        Assert.Empty(none.Reports);
    }
}
