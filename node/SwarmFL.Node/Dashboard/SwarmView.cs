using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Dashboard;

// The JSON the dashboard API serves (docs/dashboard.md). Metrics are named "metric", not "accuracy": the swarm's task
// names its headline metric (`Metric`), so another task's metric fits the same fields.

/// <summary>GET /api/swarm: everything the page shows, at one moment. <see cref="Sequence"/> is the last change folded in;
/// GET /api/events?after=Sequence continues from there.</summary>
public sealed record SwarmSnapshot
{
    public required string Mode { get; init; }
    public required string Metric { get; init; }
    public required bool Live { get; init; }
    public SwarmInfoView? Swarm { get; init; }
    public required IReadOnlyList<NodeView> Nodes { get; init; }
    public required IReadOnlyList<RoundView> Rounds { get; init; }
    public required RingView Ring { get; init; }
    public required IReadOnlyList<ChainEventView> Events { get; init; }
    public required IReadOnlyList<TrafficRow> Traffic { get; init; }
    public required IReadOnlyList<BaselineView> Baselines { get; init; }
    public AuditView? Audit { get; init; }
    public long Sequence { get; init; }
}

/// <summary>The swarm's contract and the configuration it pinned at creation.</summary>
public sealed record SwarmInfoView(string? Contract, string? RpcUrl, int? TargetClusterSize, int? MinPeers, string? Aggregation, ulong? CurrentRound);

/// <summary>One member: from its status.json when the dashboard can read it (devnet, its own node), else from the chain.</summary>
public sealed record NodeView
{
    public required string Name { get; init; }
    public string? PeerId { get; init; }
    public string? ShortPeerId { get; init; }
    public string? Address { get; init; }
    public string? Listen { get; init; }
    public int? Cluster { get; init; }
    public string? Role { get; init; }
    public string? Phase { get; init; }
    public ulong? Round { get; init; }
    /// <summary>What the node is doing or waiting for ("training", "waiting for commits", …).</summary>
    public string? Activity { get; init; }
    public double? Progress { get; init; }
    public double? LocalMetric { get; init; }
    public double? BaseMetric { get; init; }
    public double? SwarmMetric { get; init; }
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }
    public long MessagesIn { get; init; }
    public long MessagesOut { get; init; }
    /// <summary>"running", "stopped", "failed", or "chain" (known only from its registration).</summary>
    public required string State { get; init; }
    public string? Error { get; init; }
}

/// <summary>One node's figures in one round.</summary>
public sealed record RoundNodeView(string Node, int? Cluster, string? Role, double? LocalMetric, double? SemiGlobalMetric, long? Samples);

public sealed record RoundClusterView(long Cluster, string? Leader, string? MergedModel, string? SemiGlobalModel, double? SemiGlobalTestMetric);

/// <summary>One finished round. MergedTestMetric: the merged models on the test set (a devnet scores them after the run);
/// SwarmMetric: the swarm's validation of the round's merged models (the members' reports).</summary>
public sealed record RoundView(long Round, double? MergedTestMetric, double? SwarmMetric, string? SwarmMetricSource, double? Seconds,
    IReadOnlyList<RoundNodeView> Nodes, IReadOnlyList<RoundClusterView> Clusters);

/// <summary>The ring: members at their positions (ringId / 2^256, 0…1 clockwise from the top), cluster arcs, and the
/// leaders elected in <see cref="LeadersRound"/>.</summary>
public sealed record RingView(IReadOnlyList<RingMemberView> Members, IReadOnlyList<ClusterArcView> Arcs, ulong? LeadersRound);

public sealed record RingMemberView(string PeerId, string ShortPeerId, string? Node, string? Address, double Position, int Cluster, bool Leader);

/// <summary>Cluster <see cref="Cluster"/> covers [Start, End) of the ring, wrapping past 1 for the last one.</summary>
public sealed record ClusterArcView(int Cluster, double Start, double End, int Members);

/// <summary>One contract event: where it is on chain and what it says.</summary>
public sealed record ChainEventView(ulong Block, ulong LogIndex, string Tx, string Kind, ulong? Round, int? Cluster, string? Actor, string? ActorNode,
    string? Model, string? Detail);

/// <summary>Traffic of one protocol in one round, summed over the nodes the dashboard can read.</summary>
public sealed record TrafficRow(long Round, string Protocol, long BytesIn, long BytesOut, long MessagesIn, long MessagesOut)
{
    public static TrafficRow Of(long round, string protocol, TrafficFigures f) => new(round, protocol, f.BytesIn, f.BytesOut, f.MessagesIn, f.MessagesOut);
}

/// <summary>A local-only baseline: one part of the data trained alone for the same epochs, on the test set.</summary>
public sealed record BaselineView(int Part, double Metric, int Samples, int Epochs);

/// <summary>The run's `swarmfl audit --verify`: its exit code, whether it passed, and its last lines.</summary>
public sealed record AuditView(int? ExitCode, bool Passed, string Summary);
