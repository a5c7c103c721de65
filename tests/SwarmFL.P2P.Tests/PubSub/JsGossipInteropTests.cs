using System.Text;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.Tests.PubSub.Support;

namespace SwarmFL.P2P.Tests.PubSub;

/// <summary>
/// Gossip between our router and js-libp2p's @libp2p/gossipsub over real TCP + noise + yamux, in mixed lines so that
/// every message is relayed through the other implementation's mesh. A js peer reports a message as "signed" only
/// after its StrictSign verification passed; ours deliver only verified messages.
/// </summary>
public class JsGossipInteropTests
{
    private const string Topic = "swarmfl-interop";
    private static readonly Multiaddr Loopback = Multiaddr.Parse("/ip4/127.0.0.1/tcp/0");

    private static (Libp2pHost Host, GossipSub Gossip) StartNode()
    {
        var host = new Libp2pHost(new NodeKeyIdentity(NodeKey.Generate()));
        host.Listen(Loopback);
        return (host, host.StartGossipSub());
    }

    private static async Task<JsGossipPeer.Received> NextFromJsAsync(JsGossipPeer js, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { return await js.Messages.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException($"timed out waiting for {what}; js stderr: {js.Stderr}"); }
    }

    [Fact]
    public async Task CSharp_JS_CSharp_line_relays_signed_messages_through_the_js_mesh()
    {
        var (host1, gossip1) = StartNode();
        var (host2, gossip2) = StartNode();
        await using var js = await JsGossipPeer.StartAsync("secp256k1");
        try
        {
            var at1 = gossip1.Subscribe(Topic);
            var at2 = gossip2.Subscribe(Topic);
            await js.SubscribeAsync(Topic);
            await js.DialAsync(host1.ListenAddresses[0].ToString());
            await js.DialAsync(host2.ListenAddresses[0].ToString());

            await Eventually.TrueAsync(async () => (await gossip1.GetMeshPeersAsync(Topic)).Contains(js.PeerId)
                                                   && (await gossip2.GetMeshPeersAsync(Topic)).Contains(js.PeerId), "both C# nodes mesh with the js peer", 60);
            await Eventually.TrueAsync(async () => (await js.MeshAsync(Topic)).Count == 2, "the js peer meshes with both C# nodes", 60);
            Assert.False(host1.IsConnected(host2.LocalPeerId)); // the only path between them is the js peer

            await gossip1.PublishAsync(Topic, "from C# one"u8.ToArray());
            var atJs = await NextFromJsAsync(js, "js receives C# one's message");
            Assert.Equal(("signed", "from C# one", gossip1.LocalPeerId.ToString()), (atJs.Type, atJs.Data, atJs.From));
            Assert.Equal(gossip1.LocalPeerId.ToString(), atJs.Via);
            var relayed = await Eventually.ReadAsync(at2, "C# two receives C# one's message through js", 60);
            Assert.Equal("from C# one", Encoding.UTF8.GetString(relayed.Data.Span));
            Assert.Equal(gossip1.LocalPeerId, relayed.From);
            Assert.Equal(js.PeerId, relayed.ReceivedFrom);

            await gossip2.PublishAsync(Topic, "from C# two"u8.ToArray());
            atJs = await NextFromJsAsync(js, "js receives C# two's message");
            Assert.Equal(("signed", "from C# two", gossip2.LocalPeerId.ToString()), (atJs.Type, atJs.Data, atJs.From));
            relayed = await Eventually.ReadAsync(at1, "C# one receives C# two's message through js", 60);
            Assert.Equal((gossip2.LocalPeerId, "from C# two"), (relayed.From, Encoding.UTF8.GetString(relayed.Data.Span)));

            await js.PublishAsync(Topic, "from js");
            foreach (var reader in new[] { at1, at2 })
            {
                var message = await Eventually.ReadAsync(reader, "the js message", 60);
                Assert.Equal((js.PeerId, "from js"), (message.From, Encoding.UTF8.GetString(message.Data.Span)));
            }

            Assert.True(await js.ScoreAsync(gossip1.LocalPeerId) >= 0);
            Assert.True(await js.ScoreAsync(gossip2.LocalPeerId) >= 0);
            Assert.Equal(0, (await gossip1.GetStatsAsync()).Rejected + (await gossip2.GetStatsAsync()).Rejected);
        }
        finally
        {
            await gossip1.DisposeAsync();
            await gossip2.DisposeAsync();
            await host1.DisposeAsync();
            await host2.DisposeAsync();
        }
    }

    [Fact]
    public async Task JS_CSharp_JS_line_relays_Ed25519_and_secp256k1_messages_through_our_mesh()
    {
        var (host, gossip) = StartNode();
        await using var jsEd = await JsGossipPeer.StartAsync("ed25519");
        await using var jsSecp = await JsGossipPeer.StartAsync("secp256k1");
        try
        {
            var atUs = gossip.Subscribe(Topic);
            await jsEd.SubscribeAsync(Topic);
            await jsSecp.SubscribeAsync(Topic);
            await jsEd.DialAsync(host.ListenAddresses[0].ToString());                                      // they dial us
            await host.DialAsync(Multiaddr.Parse(jsSecp.Address), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token); // we dial them

            await Eventually.TrueAsync(async () => (await gossip.GetMeshPeersAsync(Topic)).Count == 2, "we mesh with both js peers", 60);
            await Eventually.TrueAsync(async () => (await jsEd.MeshAsync(Topic)).Count == 1 && (await jsSecp.MeshAsync(Topic)).Count == 1, "both js peers mesh with us", 60);

            await jsEd.PublishAsync(Topic, "from ed25519");
            var atUsMessage = await Eventually.ReadAsync(atUs, "we receive the Ed25519-signed message", 60);
            Assert.Equal((jsEd.PeerId, "from ed25519"), (atUsMessage.From, Encoding.UTF8.GetString(atUsMessage.Data.Span)));
            var atSecp = await NextFromJsAsync(jsSecp, "the secp256k1 js peer receives it through us");
            Assert.Equal(gossip.LocalPeerId.ToString(), atSecp.Via);
            Assert.Equal(("signed", "from ed25519", jsEd.PeerId.ToString()), (atSecp.Type, atSecp.Data, atSecp.From));

            await jsSecp.PublishAsync(Topic, "from secp256k1");
            atUsMessage = await Eventually.ReadAsync(atUs, "we receive the secp256k1-signed message", 60);
            Assert.Equal(jsSecp.PeerId, atUsMessage.From);
            var atEd = await NextFromJsAsync(jsEd, "the Ed25519 js peer receives it through us");
            Assert.Equal(("signed", "from secp256k1", jsSecp.PeerId.ToString()), (atEd.Type, atEd.Data, atEd.From));

            var published = await gossip.PublishAsync(Topic, "from C#"u8.ToArray());
            foreach (var js in new[] { jsEd, jsSecp })
            {
                var received = await NextFromJsAsync(js, "our own message");
                Assert.Equal(("signed", "from C#", gossip.LocalPeerId.ToString()), (received.Type, received.Data, received.From));
                Assert.Equal(gossip.LocalPeerId.ToString(), received.Via);
                // Our default id (from ‖ seqno, as go-libp2p) differs from js-libp2p's; the js-compatible function matches it.
                var seqno = ulong.Parse(received.Seqno);
                var asSent = new SwarmFL.P2P.PubSub.Wire.Message
                {
                    From = Google.Protobuf.ByteString.CopyFrom(gossip.LocalPeerId.Bytes),
                    Seqno = Google.Protobuf.ByteString.CopyFrom(BitConverter.GetBytes(seqno).Reverse().ToArray()),
                };
                Assert.Equal(published.Id, MessageIdFunctions.FromAndSeqno(asSent));
                Assert.Equal("0x" + received.MessageIdHex, MessageIdFunctions.PublicKeyAndSeqno(asSent).ToString());
                Assert.True(await js.ScoreAsync(gossip.LocalPeerId) >= 0);
                Assert.Equal(0, await gossip.GetPeerScoreAsync(js.PeerId));
            }
            var stats = await gossip.GetStatsAsync();
            Assert.Equal(0, stats.Rejected);
            Assert.True(stats.Forwarded >= 2);
        }
        finally
        {
            await gossip.DisposeAsync();
            await host.DisposeAsync();
        }
    }
}
