using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Network;
using SwarmFL.Ring.Network.Messages;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Ring.Tests.Network;

/// <summary>The libp2p adapter in one process: real TCP, noise, yamux and protobuf, members driven by hand.</summary>
public sealed class Libp2pRingTests : IAsyncLifetime
{
    private readonly List<Libp2pHost> _hosts = new();
    private readonly List<(ChordNode Node, ReplicatedModelStore Store)> _members = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    private (ChordNode Node, ReplicatedModelStore Store) StartMember()
    {
        var host = new Libp2pHost(NodeKey.Generate());
        host.Resources.Membership = SwarmFL.P2P.Membership.PeerMemberships.Everybody; // a ring without a swarm
        _hosts.Add(host);
        host.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        var self = new NodeRef(host.LocalPeerId, host.ListenAddresses.Select(a => a.WithoutPeerId().ToString()).ToArray());
        var transport = new Libp2pRingTransport(host, TimeSpan.FromSeconds(10));
        var node = new ChordNode(self, transport, new ChordOptions { SuccessorListLength = 3 });
        var store = new ReplicatedModelStore(node, new MemoryBlobStore(), transport, replicas: 2);
        RingProtocolServer.Serve(host, node, store);
        _members.Add((node, store));
        return (node, store);
    }

    [Fact]
    public async Task Members_join_stabilize_look_up_and_replicate_over_libp2p()
    {
        var first = StartMember();
        for (var i = 0; i < 3; i++) await StartMember().Node.JoinAsync(first.Node.Self);
        for (var round = 0; round < 6; round++)
        {
            foreach (var (node, _) in _members)
            {
                await node.StabilizeAsync();
                await node.CheckPredecessorAsync();
            }
        }
        foreach (var (node, _) in _members) await node.FixFingersAsync();

        var sorted = _members.Select(m => m.Node).OrderBy(n => n.Self.Id).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            Assert.Equal(sorted[(i + 1) % sorted.Count].Self, sorted[i].Successor);
            Assert.Equal(sorted[(i + sorted.Count - 1) % sorted.Count].Self, sorted[i].Predecessor);
            Assert.NotEmpty(sorted[i].Successor.Addresses); // addresses travel with the refs
        }

        var content = new byte[300_000];
        new Random(1).NextBytes(content);
        var put = await _members[1].Store.PutAsync(content);
        Assert.Equal(2, put.Holders.Count);
        var owner = sorted.First(n => RingInterval.OpenClosed(RingId.Of(put.Cid), sorted[(sorted.IndexOf(n) + sorted.Count - 1) % sorted.Count].Self.Id, n.Self.Id));
        Assert.Equal(owner.Self, put.Holders[0]);
        foreach (var (_, store) in _members) Assert.Equal(content, await store.GetAsync(put.Cid));
    }

    [Fact]
    public async Task Garbage_on_the_chord_protocol_gets_an_error_and_the_server_keeps_serving()
    {
        var member = StartMember();
        var client = new Libp2pHost(NodeKey.Generate());
        _hosts.Add(client);
        client.PeerStore.AddAddresses(member.Node.Self.Peer, member.Node.Self.Addresses.Select(Multiaddr.Parse));

        // not protobuf at all
        await using (var stream = await client.OpenStreamAsync(member.Node.Self.Peer, [Libp2pRingTransport.ChordProtocol], default))
        {
            await LengthPrefixed.WriteAsync(stream, new byte[] { 0xff, 0xff, 0xff, 0x07, 0x01 }, default);
            await stream.CloseWriteAsync();
            try
            {
                var answer = await LengthPrefixed.ReadAsync(stream, 1 << 16, default);
                Assert.True(answer is null || ChordResponse.Parser.ParseFrom(answer).BodyCase == ChordResponse.BodyOneofCase.Error);
            }
            catch (IOException) { } // the request/response layer resets the stream on an undecodable request: also fine

        }
        // well-formed protobuf, nonsense content: a 3-byte ring key
        var badKey = new ChordRequest { FindSuccessorStep = new FindSuccessorStep { Key = ByteString.CopyFrom(1, 2, 3) } };
        var reply = await SwarmFL.P2P.Protocols.RequestResponse.RequestResponse.SendAsync(client, member.Node.Self.Peer,
            Libp2pRingTransport.ChordProtocol, badKey, ChordResponse.Parser, default);
        Assert.Equal(ChordResponse.BodyOneofCase.Error, reply.BodyCase);

        // still serving
        var transport = new Libp2pRingTransport(client, TimeSpan.FromSeconds(10));
        var neighbors = await transport.GetNeighborsAsync(member.Node.Self, default);
        Assert.Equal(member.Node.Self, neighbors.Successors[0]);

        // a peer that is not there is unreachable, not a crash
        var nobody = new NodeRef(NodeKey.Generate().PeerId, ["/ip4/127.0.0.1/tcp/1"]);
        await Assert.ThrowsAsync<PeerUnreachableException>(() => transport.PingAsync(nobody, default));
    }
}
