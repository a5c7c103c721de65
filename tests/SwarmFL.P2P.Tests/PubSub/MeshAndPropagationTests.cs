using System.Text;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.Tests.PubSub.Support;

namespace SwarmFL.P2P.Tests.PubSub;

public class MeshAndPropagationTests
{
    private static readonly GossipSubOptions Fast = new() { HeartbeatInterval = TimeSpan.FromMilliseconds(50) };

    private static async Task<bool> MeshesSettledAsync(IReadOnlyList<GossipSub> nodes, string topic, int low, int high)
    {
        var meshes = new Dictionary<PeerId, IReadOnlyList<PeerId>>();
        foreach (var node in nodes) meshes[node.LocalPeerId] = await node.GetMeshPeersAsync(topic);
        foreach (var (id, mesh) in meshes)
        {
            if (mesh.Count < low || mesh.Count > high) return false;
            // Symmetric: a mesh link is agreed by both ends (GRAFT accepted, or PRUNE seen by both).
            if (mesh.Any(other => !meshes.TryGetValue(other, out var back) || !back.Contains(id))) return false;
        }
        return true;
    }

    [Fact]
    public async Task Mesh_degree_converges_between_DLow_and_DHigh_in_a_random_graph()
    {
        await using var swarm = new TestSwarm();
        var nodes = swarm.AddNodes(16, Fast);
        var random = new Random(7);
        foreach (var node in nodes)
            foreach (var other in nodes.Where(n => n != node).OrderBy(_ => random.Next()).Take(8))
                swarm.Connect(node, other);
        var outsider = swarm.AddNode(Fast); // connected but never subscribes: must never enter a mesh
        foreach (var node in nodes.Take(6)) swarm.Connect(outsider, node);
        foreach (var node in nodes) node.Subscribe("t");

        await Eventually.TrueAsync(() => MeshesSettledAsync(nodes, "t", 4, 12), "every mesh is within [4, 12] and symmetric");
        foreach (var node in nodes) Assert.DoesNotContain(outsider.LocalPeerId, await node.GetMeshPeersAsync("t"));
    }

    [Fact]
    public async Task An_oversubscribed_mesh_is_pruned_back_to_at_most_DHigh_in_a_full_graph()
    {
        await using var swarm = new TestSwarm();
        var nodes = swarm.AddNodes(18, Fast);
        for (var i = 0; i < nodes.Count; i++)
            for (var j = i + 1; j < nodes.Count; j++) swarm.Connect(nodes[i], nodes[j]);
        foreach (var node in nodes) node.Subscribe("t");
        await Eventually.TrueAsync(() => MeshesSettledAsync(nodes, "t", 4, 12), "every mesh is within [4, 12] and symmetric");
    }

    [Fact]
    public async Task Messages_are_relayed_along_a_line_in_both_directions()
    {
        await using var swarm = new TestSwarm();
        var nodes = swarm.AddNodes(6, Fast);
        swarm.ConnectLine(nodes);
        var readers = nodes.Select(n => n.Subscribe("line")).ToList();
        for (var i = 0; i < nodes.Count; i++)
        {
            var expected = new[] { i - 1, i + 1 }.Where(j => j >= 0 && j < nodes.Count).Select(j => nodes[j].LocalPeerId).ToHashSet();
            var node = nodes[i];
            await Eventually.TrueAsync(async () => (await node.GetMeshPeersAsync("line")).ToHashSet().SetEquals(expected), $"node {i} meshes with its neighbours");
        }

        await nodes[0].PublishAsync("line", "from the left"u8.ToArray());
        for (var i = 1; i < nodes.Count; i++)
        {
            var message = await Eventually.ReadAsync(readers[i], $"node {i} receives the left message");
            Assert.Equal("from the left", Encoding.UTF8.GetString(message.Data.Span));
            Assert.Equal(nodes[0].LocalPeerId, message.From);
            Assert.Equal(nodes[i - 1].LocalPeerId, message.ReceivedFrom); // it came through the relay next to us
        }

        await nodes[^1].PublishAsync("line", "from the right"u8.ToArray());
        for (var i = nodes.Count - 2; i >= 0; i--)
        {
            var message = await Eventually.ReadAsync(readers[i], $"node {i} receives the right message");
            Assert.Equal("from the right", Encoding.UTF8.GetString(message.Data.Span));
            Assert.Equal(nodes[^1].LocalPeerId, message.From);
        }
        Assert.False(readers[0].TryRead(out _)); // the publisher does not receive its own message (EmitSelf is off)
    }

    [Fact]
    public async Task In_a_ring_every_message_arrives_once_and_duplicates_are_suppressed()
    {
        await using var swarm = new TestSwarm();
        var nodes = swarm.AddNodes(8, Fast);
        swarm.ConnectLine(nodes);
        swarm.Connect(nodes[^1], nodes[0]);
        var readers = nodes.Select(n => n.Subscribe("ring")).ToList();
        foreach (var node in nodes)
            await Eventually.TrueAsync(async () => (await node.GetMeshPeersAsync("ring")).Count == 2, "ring meshes formed");

        for (var i = 0; i < nodes.Count; i++) await nodes[i].PublishAsync("ring", Encoding.UTF8.GetBytes($"m{i}"));

        for (var i = 0; i < nodes.Count; i++)
        {
            var authors = new HashSet<PeerId>();
            for (var k = 0; k < nodes.Count - 1; k++) authors.Add((await Eventually.ReadAsync(readers[i], $"node {i} message {k}")).From);
            Assert.Equal(nodes.Where((_, j) => j != i).Select(n => n.LocalPeerId).ToHashSet(), authors);
        }

        await WaitForQuiescenceAsync(nodes);
        Assert.All(readers, reader => Assert.False(reader.TryRead(out _)));
        var stats = await Task.WhenAll(nodes.Select(n => n.GetStatsAsync()));
        Assert.True(stats.Sum(s => s.Duplicates) > 0, "a ring delivers each message from both sides, so some copies must have been dropped");
        Assert.All(stats, s => Assert.Equal(nodes.Count - 1, s.Delivered));
    }

    [Fact]
    public async Task A_fully_connected_group_delivers_each_of_many_messages_exactly_once()
    {
        await using var swarm = new TestSwarm();
        var nodes = swarm.AddNodes(5, Fast);
        for (var i = 0; i < nodes.Count; i++)
            for (var j = i + 1; j < nodes.Count; j++) swarm.Connect(nodes[i], nodes[j]);
        var readers = nodes.Select(n => n.Subscribe("all")).ToList();
        await Eventually.TrueAsync(async () => (await nodes[0].GetTopicPeersAsync("all")).Count == 4, "subscriptions are known");
        foreach (var node in nodes)
            await Eventually.TrueAsync(async () => (await node.GetMeshPeersAsync("all")).Count == 4, "meshes formed");

        for (var i = 0; i < 20; i++) await nodes[0].PublishAsync("all", BitConverter.GetBytes(i));
        for (var n = 1; n < nodes.Count; n++)
        {
            var values = new List<int>();
            for (var i = 0; i < 20; i++) values.Add(BitConverter.ToInt32((await Eventually.ReadAsync(readers[n], "a message")).Data.Span));
            Assert.Equal(Enumerable.Range(0, 20), values.Order());
        }
        await WaitForQuiescenceAsync(nodes);
        Assert.All(readers.Skip(1), reader => Assert.False(reader.TryRead(out _)));
        Assert.True((await Task.WhenAll(nodes.Select(n => n.GetStatsAsync()))).Sum(s => s.Duplicates) > 0);
    }

    /// <summary>Waits until no router received anything new for a few polls.</summary>
    internal static async Task WaitForQuiescenceAsync(IReadOnlyList<GossipSub> nodes)
    {
        long last = -1;
        var stable = 0;
        while (stable < 5)
        {
            await Task.Delay(40);
            var total = (await Task.WhenAll(nodes.Select(n => n.GetStatsAsync()))).Sum(s => s.MessagesReceived + s.IWantServed);
            stable = total == last ? stable + 1 : 0;
            last = total;
        }
    }
}
