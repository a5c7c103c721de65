using System.Text;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.PubSub.Wire;
using SwarmFL.P2P.Tests.PubSub.Support;

namespace SwarmFL.P2P.Tests.PubSub;

public class GossipAndControlTests
{
    private static GossipSubOptions Manual(ManualTimeProvider time) => new()
    {
        HeartbeatInterval = Timeout.InfiniteTimeSpan,
        TimeProvider = time,
    };

    [Fact]
    public async Task IHAVE_and_IWANT_recover_a_message_the_mesh_did_not_deliver()
    {
        var time = new ManualTimeProvider();
        // Meshes of exactly one peer, so the late subscriber's GRAFT is refused and only gossip can reach it.
        var options = Manual(time) with { D = 1, DLow = 1, DHigh = 1, DScore = 1 };
        await using var swarm = new TestSwarm();
        var (a, b, c) = (swarm.AddNode(options), swarm.AddNode(options), swarm.AddNode(options));
        swarm.Connect(a, b);
        swarm.Connect(b, c);
        a.Subscribe("t");
        var atB = b.Subscribe("t");
        await Eventually.TrueAsync(async () => (await a.GetTopicPeersAsync("t")).Count == 1 && (await b.GetTopicPeersAsync("t")).Count == 1, "a and b know each other's subscription");
        await a.HeartbeatAsync();
        await Eventually.TrueAsync(async () => (await b.GetMeshPeersAsync("t")).Contains(a.LocalPeerId), "a and b are meshed");

        var published = await a.PublishAsync("t", "missed"u8.ToArray());
        await Eventually.ReadAsync(atB, "b receives the message");

        await Eventually.TrueAsync(async () => (await c.GetTopicPeersAsync("t")).Contains(b.LocalPeerId), "c knows b's subscription");
        var atC = c.Subscribe("t"); // joins after the message went through the mesh, and grafts b
        await Eventually.TrueAsync(async () => (await b.GetTopicPeersAsync("t")).Contains(c.LocalPeerId), "b knows c subscribed");
        await Eventually.TrueAsync(async () => (await b.GetStatsAsync()).GraftsRefused == 1, "b refused c's graft: its mesh is full");
        Assert.False(atC.TryRead(out _));

        await b.HeartbeatAsync(); // gossip: IHAVE to c, which is subscribed but not in b's mesh
        var recovered = await Eventually.ReadAsync(atC, "c recovers the message by IWANT");
        Assert.Equal(published.Id, recovered.Id);
        Assert.Equal(a.LocalPeerId, recovered.From);
        Assert.Equal(b.LocalPeerId, recovered.ReceivedFrom);
        Assert.Equal(1, (await c.GetStatsAsync()).IWantSent);
        Assert.Equal(1, (await b.GetStatsAsync()).IWantServed);
        Assert.DoesNotContain(c.LocalPeerId, await b.GetMeshPeersAsync("t"));
    }

    [Fact]
    public async Task GRAFT_during_backoff_is_refused_penalized_and_regrafting_waits_for_the_backoff()
    {
        var time = new ManualTimeProvider();
        await using var swarm = new TestSwarm();
        var router = swarm.AddNode(Manual(time) with { Score = new PeerScoreOptions { BehaviourPenaltyDecay = 0.5 } });
        router.Subscribe("t");
        var raw = swarm.AddRawPeer();
        swarm.Network.Connect(router.LocalPeerId, raw.PeerId);
        await raw.OpenAsync(router.LocalPeerId);
        await raw.SendAsync(RawPeer.Subscribe("t"));
        await Eventually.TrueAsync(async () => (await router.GetTopicPeersAsync("t")).Count == 1, "the router knows the raw peer's subscription");

        await router.HeartbeatAsync();
        await raw.WaitForAsync(r => r.Control?.Graft.Any(g => g.TopicID == "t") == true, "the router grafts the raw peer");

        await raw.SendAsync(RawPeer.Prune("t", backoffSeconds: 60));
        await Eventually.TrueAsync(() => router.IsBackingOffAsync("t", raw.PeerId), "the router backs off after our PRUNE");
        Assert.Empty(await router.GetMeshPeersAsync("t"));

        await raw.SendAsync(RawPeer.Graft("t")); // we asked for 60 s and come back at once
        var refusal = await raw.WaitForAsync(r => r.Control?.Prune.Count > 0, "the router answers the early GRAFT with PRUNE");
        Assert.Equal("t", refusal.Control.Prune[0].TopicID);
        Assert.True(refusal.Control.Prune[0].Backoff >= 60);
        Assert.Empty(await router.GetMeshPeersAsync("t"));
        Assert.Equal(1, (await router.GetStatsAsync()).GraftsRefused);
        Assert.Equal(-10, await router.GetPeerScoreAsync(raw.PeerId));

        time.Advance(TimeSpan.FromSeconds(30));
        await router.HeartbeatAsync();
        Assert.Empty(await router.GetMeshPeersAsync("t")); // still backing off: no GRAFT from the router

        time.Advance(TimeSpan.FromSeconds(31));
        for (var i = 0; i < 8; i++) await router.HeartbeatAsync(); // backoff over; the penalty decays to zero
        Assert.Equal(0, await router.GetPeerScoreAsync(raw.PeerId));
        Assert.Contains(raw.PeerId, await router.GetMeshPeersAsync("t"));
        await raw.WaitForAsync(r => r.Control?.Graft.Any(g => g.TopicID == "t") == true, "the router grafts again after the backoff");
    }

    [Fact]
    public async Task Leaving_a_topic_announces_it_and_prunes_the_mesh_with_the_unsubscribe_backoff()
    {
        var time = new ManualTimeProvider();
        await using var swarm = new TestSwarm();
        var router = swarm.AddNode(Manual(time));
        router.Subscribe("t");
        var raw = swarm.AddRawPeer();
        swarm.Network.Connect(router.LocalPeerId, raw.PeerId);
        await raw.OpenAsync(router.LocalPeerId);
        await raw.SendAsync(RawPeer.Subscribe("t"));
        await raw.SendAsync(RawPeer.Graft("t"));
        await Eventually.TrueAsync(async () => (await router.GetMeshPeersAsync("t")).Contains(raw.PeerId), "our GRAFT is accepted");

        router.Unsubscribe("t");
        await raw.WaitForAsync(r => r.Subscriptions.Any(s => s.Topicid == "t" && !s.Subscribe), "the unsubscribe announcement");
        var prune = await raw.WaitForAsync(r => r.Control?.Prune.Count > 0, "the PRUNE");
        Assert.Equal(10UL, prune.Control.Prune[0].Backoff);
    }

    [Fact]
    public async Task A_gossipsub_v10_peer_is_served_on_v10_and_gets_PRUNE_without_backoff()
    {
        var time = new ManualTimeProvider();
        await using var swarm = new TestSwarm();
        var router = swarm.AddNode(Manual(time) with { DHigh = 6 });
        router.Subscribe("t");
        var fillers = Enumerable.Range(0, 6).Select(_ => swarm.AddRawPeer()).ToList();
        var old = swarm.AddRawPeer(PubSubProtocols.GossipSubV10);
        foreach (var peer in fillers.Append(old))
        {
            swarm.Network.Connect(router.LocalPeerId, peer.PeerId);
            await peer.OpenAsync(router.LocalPeerId, peer == old ? PubSubProtocols.GossipSubV10 : PubSubProtocols.GossipSubV11);
            await peer.SendAsync(RawPeer.Subscribe("t"));
            await peer.SendAsync(RawPeer.Graft("t"));
            if (peer != old) await Eventually.TrueAsync(async () => (await router.GetMeshPeersAsync("t")).Contains(peer.PeerId), "filler grafted");
        }
        var prune = await old.WaitForAsync(r => r.Control?.Prune.Count > 0, "the v1.0 peer's GRAFT is refused (mesh full)");
        Assert.False(prune.Control.Prune[0].HasBackoff);
        Assert.Equal(PubSubProtocols.GossipSubV10, old.InboundProtocol);
        Assert.Equal(PubSubProtocols.GossipSubV10, (await router.GetPeersAsync())[old.PeerId]);
    }

    [Fact]
    public async Task Publishing_without_subscribing_uses_a_fanout_that_expires()
    {
        var time = new ManualTimeProvider();
        var options = Manual(time) with { FloodPublish = false };
        await using var swarm = new TestSwarm();
        var publisher = swarm.AddNode(options);
        var subscribers = swarm.AddNodes(3, options);
        var readers = subscribers.Select(s => s.Subscribe("news")).ToList();
        foreach (var s in subscribers) swarm.Connect(publisher, s);
        await Eventually.TrueAsync(async () => (await publisher.GetTopicPeersAsync("news")).Count == 3, "subscriptions known");

        var result = await publisher.PublishAsync("news", "extra"u8.ToArray());
        Assert.Equal(3, result.Peers);
        Assert.Equal(3, (await publisher.GetFanoutPeersAsync("news")).Count);
        Assert.Empty(await publisher.GetMeshPeersAsync("news"));
        foreach (var reader in readers) Assert.Equal("extra", Encoding.UTF8.GetString((await Eventually.ReadAsync(reader, "fanout delivery")).Data.Span));

        time.Advance(TimeSpan.FromSeconds(59));
        await publisher.HeartbeatAsync();
        Assert.Equal(3, (await publisher.GetFanoutPeersAsync("news")).Count);
        time.Advance(TimeSpan.FromSeconds(2));
        await publisher.HeartbeatAsync();
        Assert.Empty(await publisher.GetFanoutPeersAsync("news"));
    }

    [Fact]
    public async Task Floodsub_peers_receive_forwarded_messages_but_no_control()
    {
        var options = new GossipSubOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50) };
        await using var swarm = new TestSwarm();
        var (author, relay) = (swarm.AddNode(options), swarm.AddNode(options));
        swarm.Connect(author, relay);
        author.Subscribe("t");
        relay.Subscribe("t");
        var flood = swarm.AddRawPeer(PubSubProtocols.FloodSub);
        swarm.Network.Connect(relay.LocalPeerId, flood.PeerId);
        await flood.OpenAsync(relay.LocalPeerId, PubSubProtocols.FloodSub);
        await flood.SendAsync(RawPeer.Subscribe("t"));
        await Eventually.TrueAsync(async () => (await relay.GetTopicPeersAsync("t")).Count == 2, "relay knows both subscriptions");
        await Eventually.TrueAsync(async () => (await author.GetMeshPeersAsync("t")).Count == 1, "author and relay meshed");

        await author.PublishAsync("t", "flooded"u8.ToArray());
        var rpc = await flood.WaitForAsync(r => r.Publish.Count > 0, "the relay floods the message to the floodsub peer");
        Assert.Equal("flooded", rpc.Publish[0].Data.ToStringUtf8());
        Assert.Equal(PubSubProtocols.FloodSub, flood.InboundProtocol);
        Assert.DoesNotContain(flood.PeerId, await relay.GetMeshPeersAsync("t"));
        Assert.All(flood.History, r => Assert.Null(r.Control));
    }
}
