using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Membership;
using SwarmFL.P2P.MultistreamSelect;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.P2P.Protocols.RequestResponse;
using SwarmFL.P2P.Resources;
using SwarmFL.Ring.Network;
using SwarmFL.Ring.Network.Messages;

namespace SwarmFL.Ring.Tests.Network;

/// <summary>
/// A ring member whose swarm knows only itself, on real loopback sockets: an outsider with a fresh key is refused by
/// ring-store, model fetch and Chord notify, nothing it sends reaches the disk, and the refusals are counted.
/// </summary>
public sealed class MembershipGateTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-gate").FullName;
    private RingNodeHost _member = null!;
    private Libp2pHost _outsider = null!;

    public async Task InitializeAsync()
    {
        var self = new SelfOnly();
        _member = await RingNodeHost.StartAsync(new RingNodeOptions { DataDirectory = _dir, Membership = self });
        self.Peer = _member.Key.PeerId;
        _outsider = new Libp2pHost(NodeKey.Generate(), new HostOptions { IdentifyOnConnect = false });
        await _outsider.DialAsync(_member.Address, Timeout());
    }

    public async Task DisposeAsync()
    {
        await _outsider.DisposeAsync();
        await _member.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_outsider_is_refused_by_ring_store_model_fetch_and_chord_notify_and_nothing_reaches_the_disk()
    {
        var ct = Timeout();
        var blob = new byte[1 << 20];
        new Random(7).NextBytes(blob);
        var cid = ContentId.Of(blob);
        var store = new StoreRequest { Cid = ByteString.CopyFrom(cid.ToBytes()), Content = ByteString.CopyFrom(blob) };
        await Assert.ThrowsAsync<ProtocolNotSupportedException>(() =>
            RequestResponse.SendAsync(_outsider, _member.Key.PeerId, Libp2pRingTransport.StoreProtocol, store, StoreResponse.Parser, ct));

        _member.Store.Local.Put(cid, blob); // the member holds a model: the outsider still may not download it
        await Assert.ThrowsAsync<ProtocolNotSupportedException>(() => ModelProtocol.FetchAsync(_outsider, _member.Key.PeerId, cid, 1L << 30, ct));
        _member.Store.Local.Delete(cid);

        var notify = new ChordRequest { Notify = new Notify() };
        notify.Notify.ListenAddrs.Add(ByteString.CopyFrom(Multiaddr.Parse("/ip4/127.0.0.1/tcp/1").ToBytes()));
        await Assert.ThrowsAsync<ProtocolNotSupportedException>(() =>
            RequestResponse.SendAsync(_outsider, _member.Key.PeerId, Libp2pRingTransport.ChordProtocol, notify, ChordResponse.Parser, ct));

        Assert.Null(_member.Node.Predecessor);
        Assert.Empty(_member.Store.Local.List());
        Assert.Equal(0, Directory.EnumerateFiles(Path.Combine(_dir, "models"), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "index.json").Sum(f => new FileInfo(f).Length));
        Assert.Equal(3, _member.Host.Resources.Refusals.Get(RefusedKind.Stream, RefusalReason.MembersOnlyProtocol));
        // The public protocols still answer the outsider.
        await P2P.Protocols.Ping.PingProtocol.PingAsync(_outsider, _member.Key.PeerId, ct);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    private sealed class SelfOnly : IPeerMembership
    {
        public PeerId? Peer { get; set; }
        public bool IsMember(PeerId peer) => peer == Peer;
    }
}
