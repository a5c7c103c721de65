using System.Diagnostics;
using System.Text.RegularExpressions;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;
using SwarmFL.Learning.Models.BuiltIn;
using SwarmFL.Node.Tests.Adversarial.Adversaries;
using SwarmFL.Node.Tests.EndToEnd;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Adversarial;

/// <summary>
/// One short real swarm: a Hardhat node, the contract from `swarmfl swarm create`, three honest `swarmfl node`
/// processes training mnist-2nn on disjoint slices of MNIST over libp2p on loopback, and any number of
/// <see cref="Adversary"/> members driven from test code. Every adversary plays each round it is a member of; when the
/// honest nodes have stopped after the last round, `swarmfl audit --verify` checks the run (as JSON, and as the text a
/// user reads). The same honest nodes with the same seeds and data, and no adversary, are the reference run.
/// </summary>
public sealed class SmallSwarm : IAsyncDisposable
{
    public const ulong Rounds = 3;
    public const int HonestNodes = 3;
    public const ulong MaxSamples = 1_000_000;
    /// <summary>Above the trickler's cost to a leader (one fetch deadline, about 13 s for mnist-2nn) and a loaded merge.</summary>
    public const int MergeTimeoutSeconds = 90;
    /// <summary>A round with a member that never commits closes at this deadline once the quorum is in; without the quorum,
    /// the contract closes it one more window later, so an adversary has that long to commit.</summary>
    public const int CommitWindowSeconds = 20;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private readonly HardhatNode _hardhat = new();
    private readonly Stopwatch _clock = new();
    private readonly List<string> _timeline = [];
    private readonly List<Task> _playing = [];
    private readonly CancellationTokenSource _stop = new();
    private SwarmCoordinator _chain = null!;

    private SmallSwarm(string name, IReadOnlyList<Adversary> adversaries, ForgingLeader? forger)
    {
        Name = name;
        Adversaries = adversaries;
        Forger = forger;
        Directory = System.IO.Directory.CreateTempSubdirectory($"swarmfl-{name}").FullName;
    }

    public string Name { get; }
    public string Directory { get; }
    public IReadOnlyList<Adversary> Adversaries { get; }
    /// <summary>The elected honest leader whose key the test uses to forge a merge (null: nobody forges).</summary>
    public ForgingLeader? Forger { get; }
    /// <summary>The contract's events of every round, read after the run.</summary>
    public Dictionary<ulong, IReadOnlyList<SwarmEvent>> RoundEvents { get; } = [];
    public List<NodeProcess> Honest { get; } = [];
    public Dictionary<EthereumAddress, NodeProcess> HonestByAddress { get; } = [];
    public EthereumAddress Contract { get; private set; }
    public ProcessResult AuditProcess { get; private set; } = null!;
    public AuditJson Audit { get; private set; } = null!;
    public ProcessResult AuditText { get; private set; } = null!;
    /// <summary>What each adversary's task ended with (null: it played every round it could).</summary>
    public Dictionary<Adversary, Exception?> AdversaryFailures { get; } = [];
    public TimeSpan Elapsed => _clock.Elapsed;

    public static async Task<SmallSwarm> RunAsync(string name, IReadOnlyList<Adversary> adversaries, ForgingLeader? forger = null)
    {
        var swarm = new SmallSwarm(name, adversaries, forger);
        try
        {
            await swarm.RunAsync();
        }
        catch (Exception e)
        {
            var logs = swarm.Logs();
            await swarm.DisposeAsync();
            throw new InvalidOperationException($"{name} swarm: {e.Message}\n{logs}", e);
        }
        return swarm;
    }

    private async Task RunAsync()
    {
        _clock.Start();
        await _hardhat.InitializeAsync();
        var dataDirs = Enumerable.Range(0, HonestNodes).Select(i => Path.Combine(Directory, $"n{i}")).ToArray();
        var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", "mnist-2nn", "--seed", "1", "--data-dirs", string.Join(',', dataDirs)), "bafkrei[a-z2-7]+").Value;
        var deployerKey = Path.Combine(Directory, "deployer.key");
        await SwarmflProcess.OutputOfAsync("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", deployerKey);
        var early = Adversaries.Where(a => !a.RegistersLate).ToList();
        var honestAddresses = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Round 1 opens with the honest nodes and the adversaries that register early; one cluster holds everyone.
        var created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", _hardhat.RpcUrl, "--key", deployerKey,
            "--min-peers", (HonestNodes + early.Count).ToString(), "--commit-window", CommitWindowSeconds.ToString(),
            "--merge-timeout", MergeTimeoutSeconds.ToString(), "--cluster-size", "16", "--max-samples", MaxSamples.ToString(),
            "--model-spec-hash", "mnist-2nn", "--genesis-model", genesis);
        Contract = EthereumAddress.Parse(Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value);
        _chain = await SwarmCoordinator.AttachAsync(new EthClient(new JsonRpcClient(_hardhat.RpcUrl)), Contract);
        Note($"swarm {Contract} created");
        foreach (var adversary in early)
        {
            await adversary.JoinAsync(_hardhat.RpcUrl, Contract, _stop.Token);
            Note($"{adversary.Name} registered ({adversary.Address}), member from round {adversary.EffectiveRound}");
            _playing.Add(PlayAsync(adversary, honestAddresses.Task));
        }

        var first = AddNode(0, dataDirs[0], ["node", "--rpc", _hardhat.RpcUrl, "--contract", Contract.ToString()]);
        first.Start();
        var firstAddress = (await WaitForAsync(() => Task.FromResult(first.ReadStatus()?.Listen), "the first node to listen", Limit))!;
        for (var i = 1; i < HonestNodes; i++)
            AddNode(i, dataDirs[i], ["node", "--rpc", _hardhat.RpcUrl, "--contract", Contract.ToString(), "--bootstrap", firstAddress]).Start();
        var addresses = new List<string>();
        foreach (var node in Honest)
        {
            addresses.Add((await WaitForAsync(() => Task.FromResult(node.ReadStatus()?.Listen), $"{node.Name} to listen", Limit))!);
            HonestByAddress[node.Address] = node;
        }
        honestAddresses.SetResult(addresses);
        if (Forger is not null)
        {
            var keys = await RogueLeader.ConnectMembersAsync(_hardhat.RpcUrl, Contract, Honest, _stop.Token);
            _playing.Add(ForgeAsync(keys));
        }
        await WaitForAsync(async () => await _chain.CurrentRoundAsync() >= 1 ? "" : null, "round 1 to open", Limit);
        Note("round 1 open");
        foreach (var adversary in Adversaries.Where(a => a.RegistersLate))
        {
            await adversary.JoinAsync(_hardhat.RpcUrl, Contract, _stop.Token);
            Note($"{adversary.Name} registered ({adversary.Address}), member from round {adversary.EffectiveRound}");
            _playing.Add(PlayAsync(adversary, honestAddresses.Task));
        }

        var end = DateTime.UtcNow + Limit;
        foreach (var node in Honest)
        {
            int code;
            try { code = await node.WaitForExitAsync(end - DateTime.UtcNow); }
            catch (TimeoutException) { throw new TimeoutException($"{node.Name} had not stopped after round {Rounds}"); }
            if (code != 0) throw new InvalidOperationException($"{node.Name} exited with {code}");
        }
        Note("every honest node stopped after the last round");
        await _stop.CancelAsync();
        await Task.WhenAll(_playing);

        string[] audit = ["audit", "--rpc", _hardhat.RpcUrl, "--contract", Contract.ToString(), "--verify", "--data-dirs", string.Join(',', dataDirs)];
        AuditProcess = await SwarmflProcess.RunAsync([.. audit, "--json"]);
        Audit = AuditJson.Parse(AuditProcess.StdOut);
        AuditText = await SwarmflProcess.RunAsync(audit);
        for (var round = 1ul; round <= Rounds; round++) RoundEvents[round] = await _chain.GetRoundEventsAsync(round);
        Note("audits done");
    }

    /// <summary>Plays every round the adversary is a member of, each as soon as it opens; a round it only saw once it had
    /// moved on is skipped (and noted).</summary>
    private async Task PlayAsync(Adversary adversary, Task<IReadOnlyList<string>> honestNodes)
    {
        try
        {
            var honestAddresses = await honestNodes.WaitAsync(Limit, _stop.Token);
            for (var round = Math.Max(1, adversary.EffectiveRound); round <= Rounds; round++)
            {
                var number = round;
                var current = await WaitForAsync(async () =>
                {
                    var now = await _chain.CurrentRoundAsync(_stop.Token);
                    return now > number || now == number && (await _chain.RoundInfoAsync(now, _stop.Token)).Phase == RoundPhase.Commit ? (ulong?)now : null;
                }, $"{adversary.Name}: round {round} to open", Limit, _stop.Token);
                if (current != round)
                {
                    Note($"{adversary.Name}: saw round {round} only once round {current} was running");
                    continue;
                }
                var cluster = await _chain.ClusterOfAsync(adversary.Address, _stop.Token);
                await adversary.PlayRoundAsync(new AdversaryRound(round, cluster, honestAddresses, BuiltInModel.Mnist2nn), _stop.Token);
                Note($"{adversary.Name}: played round {round}");
            }
            Ended(adversary, null);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Ended(adversary, null); // the honest nodes were done: the round it waited for never came
        }
        catch (Exception e)
        {
            Ended(adversary, e);
            Note($"{adversary.Name} failed: {e.Message}");
        }
    }

    private async Task ForgeAsync(IReadOnlyDictionary<EthereumAddress, SwarmCoordinator> keys)
    {
        try
        {
            await Forger!.PlayAsync(keys, Adversaries, Rounds, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e)
        {
            Note($"the forger failed: {e.Message}");
        }
    }

    private void Ended(Adversary adversary, Exception? failure)
    {
        lock (AdversaryFailures) AdversaryFailures[adversary] = failure;
    }

    private NodeProcess AddNode(int index, string dataDir, string[] command)
    {
        string[] arguments =
        [
            .. command, "--data-dir", dataDir, "--listen", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}",
            "--data", RepoPaths.MnistData, "--test-data", RepoPaths.MnistData, "--limit", "1800", "--test-limit", "1000",
            "--parts", HonestNodes.ToString(), "--part", index.ToString(), "--rounds", Rounds.ToString(), "--threads", "1", "--log-level", "Information",
        ];
        var node = new NodeProcess($"{Name}-n{index}", dataDir, Path.Combine(Directory, $"n{index}.log"), arguments);
        Honest.Add(node);
        return node;
    }


    /// <summary>Polls until the probe answers; fails early when an honest node dies on its own.</summary>
    private Task<T?> WaitForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan limit, CancellationToken ct = default) =>
        NodeWait.ForAsync(Honest, probe, what, limit, Logs, TimeSpan.FromMilliseconds(200), ct);

    private void Note(string what)
    {
        lock (_timeline) _timeline.Add($"{_clock.Elapsed:mm\\:ss} {what}");
    }

    /// <summary>The run's timeline and what each adversary did.</summary>
    public string Timeline()
    {
        lock (_timeline)
            return $"{Name} timeline:\n  {string.Join("\n  ", _timeline)}\n"
                + string.Join("\n", Adversaries.Select(a => $"--- {a.Name}:\n  {string.Join("\n  ", a.Notes)}"))
                + (Forger is null ? "" : $"\n--- forging leader:\n  {string.Join("\n  ", Forger.Notes)}");
    }

    /// <summary>The timeline and the tail of every honest node's log, for failure messages.</summary>
    public string Logs() => $"{Timeline()}\n{string.Join("\n", Honest.Select(n => n.LogTail(60)))}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var node in Honest) node.Dispose();
        foreach (var adversary in Adversaries) await adversary.DisposeAsync();
        await _hardhat.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
