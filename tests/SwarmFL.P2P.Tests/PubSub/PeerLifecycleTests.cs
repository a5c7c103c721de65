using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.Tests.PubSub.Support;

namespace SwarmFL.P2P.Tests.PubSub;

public class PeerLifecycleTests
{
    private static readonly GossipSubOptions Fast = new() { HeartbeatInterval = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task A_disconnected_peer_leaves_mesh_and_topic_and_rejoins_after_reconnecting()
    {
        await using var swarm = new TestSwarm();
        var (a, b) = (swarm.AddNode(Fast), swarm.AddNode(Fast));
        swarm.Connect(a, b);
        a.Subscribe("t");
        var atB = b.Subscribe("t");
        await Eventually.TrueAsync(async () => (await a.GetMeshPeersAsync("t")).Contains(b.LocalPeerId), "meshed");

        swarm.Network.Disconnect(a.LocalPeerId, b.LocalPeerId);
        await Eventually.TrueAsync(async () => (await a.GetPeersAsync()).Count == 0 && (await a.GetTopicPeersAsync("t")).Count == 0, "a forgot b");
        Assert.Empty(await a.GetMeshPeersAsync("t"));
        Assert.Equal(0, (await a.PublishAsync("t", "nobody"u8.ToArray())).Peers);

        swarm.Connect(a, b);
        await Eventually.TrueAsync(async () => (await a.GetMeshPeersAsync("t")).Contains(b.LocalPeerId), "meshed again");
        await a.PublishAsync("t", "back"u8.ToArray());
        Assert.Equal("back", System.Text.Encoding.UTF8.GetString((await Eventually.ReadAsync(atB, "the message after reconnecting")).Data.Span));
    }

    [Fact]
    public async Task A_broken_outbound_stream_is_reopened_while_the_connection_lasts()
    {
        await using var swarm = new TestSwarm();
        var router = swarm.AddNode(Fast);
        router.Subscribe("t");
        var raw = swarm.AddRawPeer();
        raw.StreamsToBreak = 1;
        swarm.Network.Connect(router.LocalPeerId, raw.PeerId);
        await Eventually.TrueAsync(() => Task.FromResult(raw.InboundStreams >= 1), "the router opens its stream");

        // The hello (or whatever the router sends next) hits the broken stream; it must notice and open a new one.
        var extra = 0;
        var hello = await Task.Run(async () =>
        {
            while (true)
            {
                router.Subscribe($"extra{extra++}");
                if (raw.Received.TryRead(out var rpc)) return rpc;
                await Task.Delay(20);
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, raw.InboundStreams);
        Assert.Contains(hello.Subscriptions, s => s.Topicid == "t" && s.Subscribe); // the new stream starts with all our topics
        Assert.True((await router.GetPeersAsync()).ContainsKey(raw.PeerId));
    }
}
