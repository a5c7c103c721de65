using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Membership;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Ports;
using SwarmFL.TestSupport;

namespace SwarmFL.Swarm.Tests.Network;

/// <summary>
/// The leader's fetch over real libp2p hosts on loopback (the unit tests in HolderFetchTests use a fake fetch): a holder
/// that trickles its answer a byte a second, one that announces more bytes than the model's exact size, and one whose
/// address has nobody listening are each passed over within their deadline, and the honest holder serves.
/// </summary>
public sealed class HolderFetchOverLibp2pTests : IAsyncLifetime
{
    private static readonly byte[] Model = Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 7)).ToArray();
    private static readonly ContentId Id = ContentId.Of(Model);
    // A short allowance keeps the test quick; nothing below asserts how long anything took.
    private static readonly FetchLimits Limits = new(MaxBytes: Model.Length, MinimumBytesPerSecond: 1e6, Allowance: TimeSpan.FromSeconds(2));

    private readonly List<Libp2pHost> _hosts = [];

    private sealed class Source(Func<BlobContent?> open) : IBlobSource
    {
        public int Requests;

        public ValueTask<BlobContent?> TryOpenAsync(ContentId id, CancellationToken ct)
        {
            Interlocked.Increment(ref Requests);
            return ValueTask.FromResult(id == Id ? open() : null);
        }
    }

    private Libp2pHost Host()
    {
        var host = new Libp2pHost(NodeKey.Generate());
        host.Resources.Membership = PeerMemberships.Everybody;
        host.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        _hosts.Add(host);
        return host;
    }

    private (PeerId Peer, Source Source) Holder(Libp2pHost leader, Func<BlobContent?> open)
    {
        var holder = Host();
        var source = new Source(open);
        ModelProtocol.Serve(holder, source);
        leader.PeerStore.AddAddresses(holder.LocalPeerId, holder.ListenAddresses.Select(a => a.WithoutPeerId()).ToArray());
        return (holder.LocalPeerId, source);
    }

    private static Task<byte[]> FetchAsync(Libp2pHost leader, IEnumerable<PeerId> holders) =>
        HolderFetch.FirstAsync(Id, holders, Limits, (peer, max, ct) => ModelProtocol.FetchAsync(leader, peer, Id, max, ct), TimeProvider.System, default);

    [Fact]
    public async Task A_trickling_an_oversized_and_an_unreachable_holder_are_passed_over_and_the_honest_one_serves()
    {
        var leader = Host();
        var trickler = Holder(leader, () => new BlobContent(Model.Length, new TricklingStream(Model, TimeSpan.FromSeconds(1))));
        var oversized = Holder(leader, () => new BlobContent(Model.Length + 1, new MemoryStream([.. Model, 0])));
        var unreachable = NodeKey.Generate().PeerId;
        leader.PeerStore.AddAddresses(unreachable, [Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{FreePort.Next()}")]);
        var honest = Holder(leader, () => new BlobContent(Model.Length, new MemoryStream(Model, writable: false)));

        var bytes = await FetchAsync(leader, [trickler.Peer, oversized.Peer, unreachable, honest.Peer]);

        Assert.Equal(Model, bytes);
        Assert.Equal([1, 1, 1], new[] { trickler.Source.Requests, oversized.Source.Requests, honest.Source.Requests });

        var e = await Assert.ThrowsAsync<ModelUnavailableException>(() => FetchAsync(leader, [trickler.Peer, oversized.Peer, unreachable]));
        Assert.Contains($"{trickler.Peer}: no complete answer within", e.Message);
        Assert.Contains($"announced {Model.Length + 1} bytes", e.Message);
        Assert.Contains($"{unreachable}:", e.Message);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }
}
