using SwarmFL.Crypto;
using SwarmFL.Node.Dashboard;
using SwarmFL.Ring.Clusters;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.Dashboard;

public sealed class SnapshotBuilderTests
{
    private static NodeStatusFile Status(NodeKey key, int cluster, string role = "Member") =>
        new(key.PeerId.ToString(), key.Address.ToString(), "/ip4/127.0.0.1/tcp/1", 2, "Commit", role, cluster, "training", 0.5, 0.9, 0.8,
            DateTimeOffset.UnixEpoch, false, null, 0.85);

    private static ChainEventView Event(ulong block, string kind, ulong? round = null, int? cluster = null, string? actor = null) =>
        new(block, 0, "0x" + new string('a', 64), kind, round, cluster, actor, null, null, null);

    [Fact]
    public void The_ring_puts_members_at_their_ring_ids_splits_them_by_the_contracts_rule_and_marks_the_current_leaders()
    {
        var keys = Enumerable.Range(0, 6).Select(_ => NodeKey.Generate()).ToList();
        var expected = ClusterAssignment.ClusterOf(keys.Select(k => k.PeerId), 3);
        var nodes = keys.Select((k, i) => ($"node-{i}", (NodeStatusFile?)Status(k, expected[k.PeerId]), (IReadOnlyList<RoundResultFile>)[])).ToList();
        // Round 1 elected keys[0]; round 2 elected keys[1] in one cluster and then replaced it by keys[2].
        var events = new List<ChainEventView>
        {
            Event(1, "elected", 1, expected[keys[0].PeerId], keys[0].Address.ToString()),
            Event(2, "elected", 2, expected[keys[1].PeerId], keys[1].Address.ToString()),
            Event(3, "replaced", 2, expected[keys[1].PeerId], keys[2].Address.ToString()),
        };
        var swarm = new SwarmInfoView("0x1", "http://x", 3, 6, "FedAvg", 2);

        var snapshot = SnapshotBuilder.Build(new DashboardInputs { Mode = "devnet", Live = true, Nodes = nodes, Events = events, Swarm = swarm });

        Assert.Equal(2, snapshot.Ring.Arcs.Count);
        Assert.All(snapshot.Ring.Arcs, a => Assert.Equal(3, a.Members));
        Assert.Equal(6, snapshot.Ring.Members.Count);
        foreach (var member in snapshot.Ring.Members)
        {
            var key = keys.Single(k => k.PeerId.ToString() == member.PeerId);
            Assert.Equal(RingId.Of(key.PeerId).Fraction, member.Position, 12);
            Assert.Equal(expected[key.PeerId], member.Cluster);
        }
        Assert.Equal(2UL, snapshot.Ring.LeadersRound);
        Assert.Equal([keys[2].PeerId.ToString()], snapshot.Ring.Members.Where(m => m.Leader).Select(m => m.PeerId));
        // Arcs are contiguous: each ends where the next starts; the last wraps to the first.
        Assert.Equal(snapshot.Ring.Arcs[1].Start, snapshot.Ring.Arcs[0].End, 12);
        Assert.Equal(snapshot.Ring.Arcs[0].Start + 1, snapshot.Ring.Arcs[1].End, 12);
        Assert.Equal("node-2", snapshot.Events[2].ActorNode);
    }

    [Fact]
    public void Nodes_carry_their_status_and_traffic_totals_and_rounds_the_merged_figures()
    {
        var key = NodeKey.Generate();
        var traffic = new Dictionary<string, TrafficFigures> { ["gossip"] = new(10, 20, 1, 2), ["model"] = new(1000, 0, 3, 0) };
        IReadOnlyList<RoundResultFile> rounds =
        [
            new() { Round = 1, Cluster = 0, Role = "Leader", LocalHeldOutAccuracy = 0.7, SemiGlobalHeldOutAccuracy = 0.75, Samples = 100, Traffic = traffic },
            new() { Round = 2, Cluster = 0, Role = "Leader", LocalHeldOutAccuracy = 0.8, SemiGlobalHeldOutAccuracy = 0.85, Samples = 100, Traffic = traffic },
        ];
        var snapshot = SnapshotBuilder.Build(new DashboardInputs
        {
            Mode = "node", Live = true, Nodes = [("this node", Status(key, 0, "Leader"), rounds)], Events = [],
            Registered = [(key.Address.ToString(), key.PeerId.ToString()), ("0x00000000000000000000000000000000000000aa", NodeKey.Generate().PeerId.ToString())],
        });

        var node = snapshot.Nodes[0];
        Assert.Equal((2020L, 40L, 8L, 4L), (node.BytesIn, node.BytesOut, node.MessagesIn, node.MessagesOut));
        Assert.Equal(("Leader", 0.9, 0.8, 0.85, "running"), (node.Role, node.LocalMetric, node.BaseMetric, node.SwarmMetric, node.State));
        Assert.Equal(2, snapshot.Nodes.Count); // the other member is known from its registration only
        Assert.Equal("chain", snapshot.Nodes[1].State);
        Assert.Equal([1L, 2L], snapshot.Rounds.Select(r => r.Round));
        Assert.Equal(0.85, snapshot.Rounds[1].SwarmMetric);
        Assert.Equal(0.8, snapshot.Rounds[1].Nodes.Single().LocalMetric);
        Assert.Equal(["gossip", "model", "gossip", "model"], snapshot.Traffic.Select(t => t.Protocol));
        Assert.Equal("accuracy", snapshot.Metric);
    }

    [Fact]
    public void Two_status_files_naming_one_address_still_give_a_snapshot_with_both_nodes()
    {
        // Two data directories started with one key (or a copied one): the dashboard keeps following the swarm.
        var key = NodeKey.Generate();
        var twin = Status(key, 0) with { PeerId = NodeKey.Generate().PeerId.ToString() };
        var events = new List<ChainEventView> { Event(1, "elected", 1, 0, key.Address.ToString().ToUpperInvariant().Replace("0X", "0x")) };

        var snapshot = SnapshotBuilder.Build(new DashboardInputs
        {
            Mode = "devnet", Live = true, Events = events,
            Nodes = [("node-0", Status(key, 0), []), ("node-1", twin, [])],
        });

        Assert.Equal(["node-0", "node-1"], snapshot.Nodes.Select(n => n.Name));
        Assert.Equal("node-0", snapshot.Events.Single().ActorNode); // the first in name order keeps the address
        Assert.Equal(2, snapshot.Ring.Members.Count);
    }
}
