using System.Globalization;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Devnet;

/// <summary>One node of a devnet run: where it keeps its files and which part of the data it trains on.</summary>
public sealed record NodeSlot(int Index, string DataDirectory, int Port, string LogFile, string OutputFile)
{
    public string Name => $"node-{Index}";
    public string StatusFile => new StatusFiles(DataDirectory).StatusPath;
    public string RoundsFile => new StatusFiles(DataDirectory).RoundsPath;
    public string ListenAddress => $"/ip4/127.0.0.1/tcp/{Port}";
    /// <summary>The port of the node's operations endpoint on 127.0.0.1 (null: none).</summary>
    public int? MetricsPort { get; init; }
    public string? MetricsUrl => MetricsPort is { } port ? $"http://127.0.0.1:{port}/metrics" : null;

    /// <summary>Slots under the run directory: nodes/node-I/data, its logs next to it, one free port each.</summary>
    public static IReadOnlyList<NodeSlot> Plan(string runDirectory, int nodes, Func<int> nextPort) =>
        Enumerable.Range(0, nodes).Select(i =>
        {
            var root = Path.Combine(runDirectory, "nodes", $"node-{i}");
            return new NodeSlot(i, Path.Combine(root, "data"), nextPort(), Path.Combine(root, "node.log.jsonl"), Path.Combine(root, "node.out.log"));
        }).ToList();
}

/// <summary>The chain and swarm every node joins.</summary>
public sealed record SwarmEndpoint(string RpcUrl, string Contract);

/// <summary>
/// The ONE place that knows `swarmfl node`'s flags: change the node's command line here and nowhere else.
/// Node I trains on part I of the partition into N parts, so the parts are disjoint. The nodes get no --test-data: the
/// launcher scores the recorded models on the test set after the run (<see cref="TestSetScores"/>), off the timed rounds.
/// </summary>
public static class NodeCommandLine
{
    /// <summary>The partition seed the node uses by default; the local-only baselines must split the data the same way.</summary>
    public const ulong PartitionSeed = 1;

    /// <param name="dataArguments">The node's data flags for the user's own dataset (<see cref="UserDataset.NodeArguments"/>);
    /// null: <c>--data</c> <paramref name="mnistDirectory"/>, as always.</param>
    /// <param name="limitsFile">The run's resource limits (<see cref="DevnetRun"/> writes them: every node shares 127.0.0.1).</param>
    public static IReadOnlyList<string> Build(NodeSlot slot, DevnetOptions options, SwarmEndpoint swarm, string mnistDirectory, string? bootstrap,
        IReadOnlyList<string>? dataArguments = null, string? limitsFile = null)
    {
        var args = new List<string>
        {
            "node",
            "--data-dir", slot.DataDirectory,
            "--rpc", swarm.RpcUrl,
            "--contract", swarm.Contract,
            "--listen", slot.ListenAddress,
        };
        if (bootstrap is not null) args.AddRange(["--bootstrap", bootstrap]);
        if (limitsFile is not null) args.AddRange(["--limits", limitsFile]);
        if (slot.MetricsPort is { } metrics) args.AddRange(["--metrics", $"127.0.0.1:{metrics.ToString(CultureInfo.InvariantCulture)}"]);
        args.AddRange(
        [
            "--model", options.Model,
        ]);
        args.AddRange(dataArguments ?? ["--data", mnistDirectory]);
        args.AddRange(
        [
            "--partition", options.Partition,
            "--parts", options.Nodes.ToString(CultureInfo.InvariantCulture),
            "--part", slot.Index.ToString(CultureInfo.InvariantCulture),
            "--epochs", options.Epochs.ToString(CultureInfo.InvariantCulture),
            "--batch", options.Batch.ToString(CultureInfo.InvariantCulture),
            "--lr", options.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            "--threads", "1",
            "--rounds", options.Rounds.ToString(CultureInfo.InvariantCulture),
            "--log-file", slot.LogFile,
        ]);
        return args;
    }

    /// <summary>`swarmfl swarm create` for a devnet where every node is a member of round 1 (min-peers = nodes); with
    /// <paramref name="dataSpec"/>, the swarm pins that data spec with the model.</summary>
    public static IReadOnlyList<string> CreateSwarm(DevnetOptions options, string rpcUrl, string creatorKey, string genesisCid, string? dataSpec = null) =>
    [
        "swarm", "create",
        "--rpc", rpcUrl,
        "--key", creatorKey,
        "--min-peers", options.Nodes.ToString(CultureInfo.InvariantCulture),
        "--commit-window", options.CommitWindowSeconds.ToString(CultureInfo.InvariantCulture),
        "--merge-timeout", options.MergeTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        "--objection-window", options.ObjectionWindowSeconds.ToString(CultureInfo.InvariantCulture),
        "--cluster-size", options.ClusterSize.ToString(CultureInfo.InvariantCulture),
        "--aggregation", options.Strategy,
        "--model-spec-hash", options.Model,
        "--genesis-model", genesisCid,
        .. dataSpec is null ? Array.Empty<string>() : ["--data-spec", dataSpec],
    ];

    public static IReadOnlyList<string> Audit(SwarmEndpoint swarm, IEnumerable<NodeSlot> slots, string? dataSpec = null) =>
    [
        "audit",
        "--rpc", swarm.RpcUrl,
        "--contract", swarm.Contract,
        "--verify",
        "--data-dirs", string.Join(",", slots.Select(s => s.DataDirectory)),
        .. dataSpec is null ? Array.Empty<string>() : ["--data-spec", dataSpec],
    ];

    /// <summary>Reads the contract address from `swarm create`'s "contract: 0x…" line.</summary>
    public static string? ParseContractAddress(string createOutput) =>
        createOutput.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("contract: ", StringComparison.Ordinal))?["contract: ".Length..].Trim();
}
