using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// One whole swarm run of real processes, shared by the end-to-end tests (each asserts one item of issue #7 on it):
/// a Hardhat node; the contract deployed by `swarmfl swarm create`; four `swarmfl node`/`swarmfl join` processes
/// training mnist-2nn with TorchSharp on disjoint slices of real MNIST over libp2p on loopback; a fifth that joins by
/// peer address after round 1; the elected leader of a cluster SIGKILLed during its merge and, once its replacement
/// merged, restarted on the same data directory with the same arguments. When every node has stopped after the last
/// round, `swarmfl audit --verify --json` checks the run, then a rogue leader tampers with one more round and the
/// audit runs again.
/// </summary>
public sealed class SwarmRun : IAsyncLifetime
{
    public const ulong Rounds = 6;
    public const int InitialNodes = 4;
    public const int MergeTimeoutSeconds = 15;
    /// <summary>The contract's default (`swarm create --leader-cooldown`): rounds after its failure a failed leader is not elected.</summary>
    public const ulong LeaderCooldown = 2;
    /// <summary>How long any one wait may take before the run fails with the logs: well above a round on a loaded 2-core
    /// machine (~10 s), and far below tests/run's 15-minute hang timeout.</summary>
    private static readonly TimeSpan RoundLimit = TimeSpan.FromMinutes(2);

    private readonly HardhatNode _hardhat = new();
    private readonly Stopwatch _clock = new();
    private readonly List<string> _timeline = [];
    private readonly ConcurrentDictionary<NodeProcess, EthereumAddress> _addresses = new();
    private SwarmCoordinator _chain = null!;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("swarmfl-e2e").FullName;
    public List<NodeProcess> Nodes { get; } = [];
    public NodeProcess Joiner => Nodes[InitialNodes];
    public EthereumAddress Contract { get; private set; }
    public ulong JoinerEffectiveRound { get; private set; }
    /// <summary>The kill that took: the leader died before publishing its merge.</summary>
    public LeaderKill? Kill { get; private set; }
    /// <summary>Kills that came too late (the leader had already published) or rounds without a leader to kill.</summary>
    public List<string> MissedKills { get; } = [];
    public Dictionary<NodeProcess, IReadOnlyList<string>> DataDirectoryProblems { get; } = [];
    public ProcessResult GoodAuditProcess { get; private set; } = null!;
    public AuditJson GoodAudit { get; private set; } = null!;
    public TamperedStore StoreTampering { get; private set; } = null!;
    public RogueLeader.Forgery Forgery { get; private set; } = null!;
    /// <summary>The merge a leader forged while the swarm ran (its key used by the test, racing its own node), or null.</summary>
    public RogueLeader.Forgery? LiveForgery { get; private set; }
    public List<string> MissedForgeries { get; } = [];
    public ProcessResult TamperedAudit { get; private set; } = null!;
    public TimeSpan Elapsed => _clock.Elapsed;

    public sealed record LeaderKill(ulong Round, int Cluster, NodeProcess Victim, EthereumAddress VictimAddress);

    /// <summary>A cluster model whose every stored copy was replaced by other bytes, and the audit over those stores.</summary>
    public sealed record TamperedStore(AuditJson.MergeJson Merge, ProcessResult Audit);

    public EthereumAddress AddressOf(NodeProcess node) => _addresses[node];

    public async Task InitializeAsync()
    {
        _clock.Start();
        await _hardhat.InitializeAsync();
        Note("hardhat up");
        var dataDirs = Enumerable.Range(0, InitialNodes + 1).Select(i => Path.Combine(Directory, $"n{i}")).ToArray();
        var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", "mnist-2nn", "--seed", "1", "--data-dirs", string.Join(',', dataDirs)), "bafkrei[a-z2-7]+").Value;
        var deployerKey = Path.Combine(Directory, "deployer.key");
        await SwarmflProcess.OutputOfAsync("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", deployerKey);
        // Round 1 opens once the four initial nodes registered. Clusters of two (three clusters of 2, 2 and 1 once the
        // fifth node is in), so a dead leader of a two-member cluster has a cluster mate to replace it.
        var created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", _hardhat.RpcUrl, "--key", deployerKey, "--min-peers", InitialNodes.ToString(), "--commit-window", "45",
            "--merge-timeout", MergeTimeoutSeconds.ToString(), "--cluster-size", "2", "--model-spec-hash", "mnist-2nn", "--genesis-model", genesis);
        Contract = EthereumAddress.Parse(Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value);
        _chain = await SwarmCoordinator.AttachAsync(new EthClient(new JsonRpcClient(_hardhat.RpcUrl)), Contract);
        Note($"swarm {Contract} created");

        // Fixed listen ports: a restarted node comes back where its peers last saw it.
        var first = AddNode(0, dataDirs[0], ["node", "--rpc", _hardhat.RpcUrl, "--contract", Contract.ToString()]);
        first.Start();
        var firstAddress = (await WaitForAsync(() => Task.FromResult(first.ReadStatus()?.Listen), "the first node to listen", TimeSpan.FromMinutes(3)))!;
        AddNode(1, dataDirs[1], ["node", "--rpc", _hardhat.RpcUrl, "--contract", Contract.ToString(), "--bootstrap", firstAddress]).Start();
        AddNode(2, dataDirs[2], ["join", firstAddress]).Start(); // learns chain, contract and model spec from the peer
        AddNode(3, dataDirs[3], ["join", firstAddress]).Start();
        AddNode(4, dataDirs[4], ["join", firstAddress]); // the list of nodes is complete before the killer walks it
        foreach (var node in Nodes.Take(InitialNodes)) await LearnAddressAsync(node);

        await WaitForAsync(() => Task.FromResult(first.CountRoundsWhileRunning() >= 1 ? "" : null), "round 1 to end", RoundLimit);
        // The killer follows the chain from round 2 on while the fifth node joins, so it has several rounds to catch a
        // leader before its merge.
        var killing = KillALeaderDuringItsMergeAsync();
        Note("round 1 ended; the fifth node joins");
        Joiner.Start();
        await LearnAddressAsync(Joiner);
        var registered = await WaitForAsync(async () => (await _chain.GetEventsAsync()).OfType<MemberRegistered>().FirstOrDefault(e => e.Member == _addresses[Joiner]),
            "the fifth node's registration", TimeSpan.FromMinutes(2));
        JoinerEffectiveRound = registered!.EffectiveRound;
        Note($"the fifth node registered, member from round {JoinerEffectiveRound}");
        await killing;
        await ForgeALiveMergeAsync();

        var end = DateTime.UtcNow + RoundLimit * 2;
        foreach (var node in Nodes)
        {
            int code;
            try { code = await node.WaitForExitAsync(end - DateTime.UtcNow); }
            catch (TimeoutException) { throw new TimeoutException($"{node.Name} had not stopped after round {Rounds}\n{Logs()}"); }
            if (code != 0) throw new InvalidOperationException($"{node.Name} exited with {code}\n{Logs()}");
        }
        Note("every node stopped after the last round");
        foreach (var node in Nodes) DataDirectoryProblems[node] = DataDirectoryCheck.Problems(node.DataDirectory, _addresses[node]);

        var auditArgs = new[] { "audit", "--rpc", _hardhat.RpcUrl, "--contract", Contract.ToString(), "--verify", "--data-dirs", string.Join(',', dataDirs) };
        GoodAuditProcess = await SwarmflProcess.RunAsync([.. auditArgs, "--json"]);
        GoodAudit = AuditJson.Parse(GoodAuditProcess.StdOut);
        Note("audit of the run done");

        var swapped = SwapClusterModelInCopies(out var tamperedDirs);
        StoreTampering = new TamperedStore(swapped,
            await SwarmflProcess.RunAsync("audit", "--rpc", _hardhat.RpcUrl, "--contract", Contract.ToString(), "--verify", "--data-dirs", string.Join(',', tamperedDirs)));
        Note("audit of the tampered model stores done");

        Forgery = await RogueLeader.ForgeMergeAsync(_hardhat.RpcUrl, Contract, Nodes, CancellationToken.None);
        TamperedAudit = await SwarmflProcess.RunAsync(auditArgs);
        Note("audit of the tampered run done");
    }

    /// <summary>
    /// From round 2 on, follows the chain closely; as soon as a round enters its merge phase, SIGKILLs the elected
    /// leader of a cluster that has a second committer (its possible replacement) while that leader has not published.
    /// The first node is spared: every `join` command line (the fifth node's, and a restarted joiner's) names it as the
    /// peer to learn the swarm from, so it must stay up. (Its own restart without --bootstrap is covered by the ring's
    /// RestartRejoinTests.) A leader that published in the instant before the kill is restarted at once and the next
    /// round is tried. After a kill that took, the victim is restarted once its replacement has merged (not before, so
    /// the replacement can only have the victim's model from the ring's replicas).
    /// </summary>
    private async Task KillALeaderDuringItsMergeAsync()
    {
        for (var round = 2ul; round < Rounds && Kill is null; round++)
        {
            var current = await WaitForAsync(async () =>
            {
                var now = await _chain.CurrentRoundAsync();
                return now > round || now == round && (await _chain.RoundInfoAsync(now)).Phase is not (RoundPhase.Opening or RoundPhase.Commit or RoundPhase.Election) ? (ulong?)now : null;
            }, $"round {round} to close", RoundLimit, poll: TimeSpan.FromMilliseconds(100));
            if (current != round)
            {
                MissedKills.Add($"round {round}: the test saw it only once round {current} was running");
                continue;
            }
            (NodeProcess Node, int Cluster)? victim = null;
            try
            {
                var commits = (await _chain.GetRoundEventsAsync(round)).OfType<ModelCommitted>().ToList();
                var info = await _chain.RoundInfoAsync(round);
                for (var cluster = 0u; cluster < info.ClusterCount && victim is null; cluster++)
                {
                    var state = await _chain.ClusterStateAsync(round, cluster);
                    if (state.Status != ClusterStatus.AwaitingMerge || commits.Count(c => c.Cluster == cluster) < 2) continue;
                    // The joiner is spared too: its rounds file starts at its first round, not round 1.
                    if (Nodes.Skip(1).Take(InitialNodes - 1).FirstOrDefault(n => n.IsRunning && _addresses.TryGetValue(n, out var a) && a == state.Leader) is { } node) victim = (node, (int)cluster);
                }
            }
            catch (ContractRevertException e)
            {
                // Views answer for the current round only: a round that ended between the wait and these reads reverts.
                MissedKills.Add($"round {round}: it ended while the test read it ({e.Reason})");
                continue;
            }
            if (victim is not { } v)
            {
                MissedKills.Add($"round {round}: no killable leader was still merging when the test looked");
                continue;
            }
            v.Node.Kill();
            Note($"killed {v.Node.Name} ({_addresses[v.Node]}), elected leader of round {round} cluster {v.Cluster}");

            var merge = await WaitForAsync(async () => (await _chain.GetRoundEventsAsync(round)).OfType<MergePublished>().FirstOrDefault(m => m.Cluster == v.Cluster),
                $"round {round} cluster {v.Cluster} to merge after its leader was killed", TimeSpan.FromSeconds(MergeTimeoutSeconds) + RoundLimit);
            if (merge!.Leader == _addresses[v.Node])
                MissedKills.Add($"round {round}: {v.Node.Name} had published its merge before it was killed");
            else
                Kill = new LeaderKill(round, v.Cluster, v.Node, _addresses[v.Node]);
            Note($"round {round} cluster {v.Cluster} merged by {merge.Leader}; restarting {v.Node.Name}");
            v.Node.Start();
        }
    }

    /// <summary>
    /// After the kill, while the nodes run: as soon as a round's leaders are drawn, the elected leader of a cluster with
    /// a second committer publishes, with its own key and before its node does, its own local model as the cluster's
    /// merge. The cluster's other committer must recompute it, object, and so void it; its node's own publication then
    /// fails (already published) and it sits out. A round whose leader published first is missed, and the next is tried.
    /// </summary>
    private async Task ForgeALiveMergeAsync()
    {
        // Connected before the race: the forger must publish before its own node, which needs ~a second to merge.
        var members = await RogueLeader.ConnectMembersAsync(_hardhat.RpcUrl, Contract, Nodes, CancellationToken.None);
        LiveForgery = await RogueLeader.ForgeFirstLiveMergeAsync(members, (Kill?.Round ?? 1) + 1, Rounds,
            async round => (await WaitForAsync(async () =>
            {
                var now = await _chain.CurrentRoundAsync();
                return now > round || now == round && (await _chain.RoundInfoAsync(now)).Phase is not (RoundPhase.Opening or RoundPhase.Commit or RoundPhase.Election) ? (ulong?)now : null;
            }, $"round {round}'s leaders to be drawn", RoundLimit, poll: TimeSpan.FromMilliseconds(20)))!.Value,
            // The killed leader sits out the leader cooldown after its kill round.
            round => Kill is { } k && round <= k.Round + LeaderCooldown ? new HashSet<EthereumAddress> { k.VictimAddress } : [],
            MissedForgeries.Add, CancellationToken.None);
        if (LiveForgery is { } forgery)
            Note($"round {forgery.Round} cluster {forgery.Cluster}: {forgery.Leader} published the forged merge {forgery.PublishedModel}");
    }

    /// <summary>
    /// Copies every node's model files and, in each copy, overwrites one cluster model (a merge of several inputs) with
    /// the bytes of one of its inputs, as a leader covering up a lazy merge would: the file keeps the merge's name.
    /// </summary>
    private AuditJson.MergeJson SwapClusterModelInCopies(out string[] dataDirs)
    {
        var merge = GoodAudit.History.Rounds.Where(r => r.Round >= 2).SelectMany(r => r.Merges).First(m => m.Inputs.Count >= 2 && !m.Voided);
        var substitute = File.ReadAllBytes(Nodes.Select(n => Path.Combine(n.DataDirectory, "models", "blobs", merge.Inputs[0])).First(File.Exists));
        var copies = new List<string>();
        var swapped = 0;
        foreach (var node in Nodes)
        {
            var copy = Path.Combine(Directory, "tampered", node.Name);
            var blobs = System.IO.Directory.CreateDirectory(Path.Combine(copy, "models", "blobs")).FullName;
            foreach (var blob in System.IO.Directory.EnumerateFiles(Path.Combine(node.DataDirectory, "models", "blobs")))
                File.Copy(blob, Path.Combine(blobs, Path.GetFileName(blob)));
            var target = Path.Combine(blobs, merge.Model);
            if (File.Exists(target))
            {
                File.WriteAllBytes(target, substitute);
                swapped++;
            }
            copies.Add(copy);
        }
        if (swapped == 0) throw new InvalidOperationException($"no node stores cluster model {merge.Model}");
        dataDirs = [.. copies];
        return merge;
    }

    private async Task LearnAddressAsync(NodeProcess node)
    {
        await WaitForAsync(() => Task.FromResult(node.ReadStatus()?.Listen), $"{node.Name} to listen", TimeSpan.FromMinutes(3));
        _addresses[node] = node.Address;
    }

    private NodeProcess AddNode(int index, string dataDir, string[] command)
    {
        string[] arguments =
        [
            .. command, "--data-dir", dataDir, "--listen", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}",
            "--data", RepoPaths.MnistData, "--test-data", RepoPaths.MnistData, "--limit", "3000", "--test-limit", "1000",
            "--parts", (InitialNodes + 1).ToString(), "--part", index.ToString(), "--rounds", Rounds.ToString(), "--threads", "1", "--log-level", "Information",
        ];
        var node = new NodeProcess($"n{index}", dataDir, Path.Combine(Directory, $"n{index}.log"), arguments);
        Nodes.Add(node);
        return node;
    }


    /// <summary>Polls until the probe answers; fails early, with the logs, when a node process dies on its own.</summary>
    private Task<T?> WaitForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan limit, TimeSpan? poll = null) =>
        NodeWait.ForAsync(Nodes, probe, what, limit, Logs, poll);

    private void Note(string what)
    {
        lock (_timeline) _timeline.Add($"{_clock.Elapsed:mm\\:ss} {what}");
    }

    public string Timeline()
    {
        lock (_timeline) return string.Join("\n", _timeline);
    }

    /// <summary>The run's timeline and the tail of every node's log, for failure messages.</summary>
    public string Logs()
    {
        lock (_timeline) return $"timeline:\n  {string.Join("\n  ", _timeline)}\n{string.Join("\n", Nodes.Select(n => n.LogTail()))}";
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes) node.Dispose();
        await _hardhat.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
