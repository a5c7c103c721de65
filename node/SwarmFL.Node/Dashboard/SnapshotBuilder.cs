using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.Node.Devnet;
using SwarmFL.Ring.Clusters;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Dashboard;

/// <summary>What the dashboard read in one poll: the raw inputs of a <see cref="SwarmSnapshot"/>.</summary>
public sealed record DashboardInputs
{
    public required string Mode { get; init; }
    public required bool Live { get; init; }
    public required IReadOnlyList<(string Name, NodeStatusFile? Status, IReadOnlyList<RoundResultFile> Rounds)> Nodes { get; init; }
    /// <summary>The launcher's merged results (rounds.json, with test-set scores); when present they replace the merge of the nodes' files.</summary>
    public RunResults? ScoredRounds { get; init; }
    public required IReadOnlyList<ChainEventView> Events { get; init; }
    /// <summary>Registrations seen on chain: address → PeerId bytes (for members whose files the dashboard cannot read).</summary>
    public IReadOnlyList<(string Address, string PeerId)> Registered { get; init; } = [];
    public SwarmInfoView? Swarm { get; init; }
    public IReadOnlyList<BaselineView> Baselines { get; init; } = [];
    public AuditView? Audit { get; init; }
}

/// <summary>Builds the API's <see cref="SwarmSnapshot"/> from what was read. Pure: same inputs, same snapshot.</summary>
public static class SnapshotBuilder
{
    public const string DefaultMetric = "accuracy";

    public static SwarmSnapshot Build(DashboardInputs inputs)
    {
        var results = inputs.ScoredRounds ?? RunResults.Merge(inputs.Nodes.Select(n => (n.Name, n.Status?.PeerId, n.Rounds)).ToList());
        // Two status files can name one address (two data directories with one key, a copied directory): the first
        // node in name order keeps it, and the snapshot is still built.
        var byAddress = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in inputs.Nodes.Where(n => n.Status is not null)) byAddress.TryAdd(n.Status!.Address.ToLowerInvariant(), n.Name);
        string? NodeOf(string? address) => address is not null && byAddress.TryGetValue(address.ToLowerInvariant(), out var name) ? name : null;

        var events = inputs.Events.OrderBy(e => e.Block).ThenBy(e => e.LogIndex).Select(e => e with { ActorNode = NodeOf(e.Actor) }).ToList();
        var nodes = NodesOf(inputs, byAddress);
        var rounds = results.Rounds.Select(r => new RoundView(r.Round, r.MergedTestAccuracy, r.SwarmValidation?.Accuracy, r.SwarmValidation?.Source, r.Seconds,
            r.Nodes.Select(n => new RoundNodeView(n.Node, (int?)n.Cluster, n.Role, n.LocalTestAccuracy ?? n.LocalHeldOutAccuracy,
                n.SemiGlobalTestAccuracy ?? n.SemiGlobalHeldOutAccuracy, n.Samples)).ToList(),
            r.Clusters.Select(c => new RoundClusterView(c.Cluster, c.Leader, c.MergedModel, c.SemiGlobalModel, c.SemiGlobalTestAccuracy)).ToList())).ToList();
        var traffic = results.Rounds.SelectMany(r => r.Traffic.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => TrafficRow.Of(r.Round, t.Key, t.Value))).ToList();
        return new SwarmSnapshot
        {
            Mode = inputs.Mode, Metric = DefaultMetric, Live = inputs.Live, Swarm = inputs.Swarm, Nodes = nodes, Rounds = rounds,
            Ring = RingOf(nodes, inputs.Swarm?.TargetClusterSize, events), Events = events, Traffic = traffic, Baselines = inputs.Baselines,
            Audit = inputs.Audit,
        };
    }

    private static IReadOnlyList<NodeView> NodesOf(DashboardInputs inputs, IReadOnlyDictionary<string, string> byAddress)
    {
        var nodes = inputs.Nodes.Select(n =>
        {
            var s = n.Status;
            var totals = n.Rounds.SelectMany(r => r.Traffic.Values).ToList();
            return new NodeView
            {
                Name = n.Name, PeerId = s?.PeerId, ShortPeerId = s is null ? null : StatusBoard.ShortPeer(s.PeerId), Address = s?.Address,
                Listen = s?.Listen, Cluster = s?.Cluster, Role = s?.Role, Phase = s?.Phase, Round = s?.Round, Activity = s?.Activity ?? "starting",
                Progress = s?.Progress, LocalMetric = s?.LocalAccuracy, BaseMetric = s?.BaseAccuracy, SwarmMetric = s?.SwarmAccuracy,
                BytesIn = totals.Sum(t => t.BytesIn), BytesOut = totals.Sum(t => t.BytesOut),
                MessagesIn = totals.Sum(t => t.MessagesIn), MessagesOut = totals.Sum(t => t.MessagesOut),
                State = s is null ? "starting" : s.Error is not null ? "failed" : s.Stopped ? "stopped" : "running", Error = s?.Error,
            };
        }).ToList();
        // Members this dashboard has no files for (a node's own dashboard sees the others only on chain).
        var seen = nodes.Where(n => n.PeerId is not null).Select(n => n.PeerId!).ToHashSet(StringComparer.Ordinal);
        foreach (var (address, peerId) in inputs.Registered)
        {
            if (byAddress.ContainsKey(address.ToLowerInvariant()) || !seen.Add(peerId)) continue;
            nodes.Add(new NodeView { Name = StatusBoard.ShortPeer(peerId), PeerId = peerId, ShortPeerId = StatusBoard.ShortPeer(peerId), Address = address, State = "chain" });
        }
        return nodes;
    }

    /// <summary>Members at ringId / 2^256, arcs by the contract's cluster rule (docs/clusters.md), leaders of the latest
    /// round that elected any.</summary>
    public static RingView RingOf(IReadOnlyList<NodeView> nodes, int? targetClusterSize, IReadOnlyList<ChainEventView> events)
    {
        var peers = new List<(PeerId Peer, NodeView Node)>();
        foreach (var node in nodes)
        {
            if (node.PeerId is null) continue;
            try { peers.Add((PeerId.Parse(node.PeerId), node)); }
            catch (FormatException) { }
        }
        if (peers.Count == 0) return new RingView([], [], null);
        // Until the creation event is read the target size is unknown: one cluster of everyone.
        var size = targetClusterSize is > 0 ? targetClusterSize.Value : peers.Count;
        var clusters = ClusterAssignment.Assign(peers.Select(p => p.Peer).DistinctBy(p => p.ToString()), size);
        var leadersRound = events.Where(e => e.Kind is "elected" or "replaced").Select(e => e.Round).Max();
        var leaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (leadersRound is not null)
        {
            // The latest election or replacement per cluster is the one that leads now.
            foreach (var last in events.Where(e => e.Round == leadersRound && e.Kind is "elected" or "replaced").GroupBy(e => e.Cluster).Select(g => g.Last()))
                if (last.Actor is not null) leaders.Add(last.Actor);
        }
        var byPeer = peers.DistinctBy(p => p.Peer.ToString()).ToDictionary(p => p.Peer.ToString(), p => p.Node);
        var members = clusters.SelectMany(c => c.Members.Select(m =>
        {
            var node = byPeer[m.Peer.ToString()];
            return new RingMemberView(m.Peer.ToString(), StatusBoard.ShortPeer(m.Peer.ToString()), node.State == "chain" ? null : node.Name, node.Address,
                Position(m.RingId), c.Index, node.Address is not null && leaders.Contains(node.Address));
        })).ToList();
        var arcs = clusters.Select((c, i) => new ClusterArcView(c.Index, Position(c.ArcStart),
            i + 1 < clusters.Count ? Position(clusters[i + 1].ArcStart) : Position(clusters[0].ArcStart) + 1, c.Members.Count)).ToList();
        return new RingView(members, arcs, leadersRound);
    }

    private static double Position(RingId id) => id.Fraction;
}
