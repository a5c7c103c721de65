namespace SwarmFL.Node.Devnet;

/// <summary>Everything `swarmfl devnet up` was asked to do; validated once, before anything starts.</summary>
public sealed record DevnetOptions
{
    // The default shows what sets SwarmFL apart: 6 members in 2 clusters of 3 (docs/clusters.md: k = ⌊(2·6 + 3) / 6⌋ = 2),
    // so a newcomer sees two leaders per round and the semi-global models combining the clusters.
    public int Nodes { get; init; } = 6;
    public int Rounds { get; init; } = 5;
    public string Model { get; init; } = "mnist-2nn";
    public string Partition { get; init; } = "iid";
    public string Strategy { get; init; } = "fedavg";
    public int ClusterSize { get; init; } = 3;
    public int Epochs { get; init; } = 1;
    public int Batch { get; init; } = 10;
    public double LearningRate { get; init; } = 0.05;
    public int CommitWindowSeconds { get; init; } = 60;
    public int MergeTimeoutSeconds { get; init; } = 60;
    /// <summary>`swarm create --objection-window`: the seconds members have to object to a merge before semi-globals are accepted.</summary>
    public ulong ObjectionWindowSeconds { get; init; } = SwarmFL.Chain.Contracts.AggregationRules.DefaultObjectionWindowSeconds;
    /// <summary>Seeds the genesis model and the baselines' training. The nodes partition with their default seed (<see cref="NodeCommandLine.PartitionSeed"/>), and so do the baselines, whatever --seed says.</summary>
    public ulong Seed { get; init; } = NodeCommandLine.PartitionSeed;
    public double? TargetAccuracy { get; init; }
    public string OutDirectory { get; init; } = "devnet/runs";
    public string? MnistDirectory { get; init; }
    /// <summary>The user's own dataset (null: MNIST, as always); the swarm then pins a data spec fitted on it.</summary>
    public UserDataOptions? UserData { get; init; }
    public bool Baselines { get; init; } = true;
    public int TimeoutMinutes { get; init; } = 30;
    /// <summary>Where the live dashboard listens (port 0: a free one); null: no dashboard.</summary>
    public SwarmFL.Node.Web.WebEndpoint? Dashboard { get; init; } = new(System.Net.IPAddress.Loopback, 0);
    /// <summary>The executable run as `EXE node …` and `EXE audit …` (default: this swarmfl). Tests substitute a fake node.</summary>
    public string? NodeExecutable { get; init; }
    /// <summary>Node I serves its operations endpoint on 127.0.0.1:(base + I); null: no endpoint.</summary>
    public int? MetricsPortBase { get; init; }

    public IEnumerable<string> Problems()
    {
        if (Nodes < 1) yield return "--nodes must be at least 1";
        if (Rounds < 1) yield return "--rounds must be at least 1";
        if (ClusterSize < 1) yield return "--cluster-size must be at least 1";
        if (Epochs < 1) yield return "--epochs must be at least 1";
        if (Batch < 1) yield return "--batch must be at least 1";
        if (LearningRate <= 0) yield return "--lr must be positive";
        if (CommitWindowSeconds < 1 || MergeTimeoutSeconds < 1) yield return "--commit-window and --merge-timeout must be at least 1 s";
        if (ObjectionWindowSeconds < 1) yield return "--objection-window must be at least 1 s (members need time to recompute a merge and object)";
        if (TargetAccuracy is < 0 or > 1) yield return "--target must be a score between 0 and 1 (the swarm's headline metric: accuracy, macro-f1, roc-auc or r2)";
        if (TimeoutMinutes < 1) yield return "--timeout must be at least 1 minute";
        foreach (var problem in UserData?.Problems() ?? []) yield return problem;
        if (MetricsPortBase is { } port && (port < 1 || port + Nodes - 1 > 65535)) yield return $"--metrics-port {port}: ports {port}…{port + Nodes - 1} must lie within 1-65535";
    }
}
