using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Swarm.Audit;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Tests.Fakes;
using SwarmFL.TestSupport;

namespace SwarmFL.Swarm.Tests;

/// <summary>
/// The round protocol against the real SwarmCoordinator on a real Hardhat node: four members in two clusters run two
/// full rounds, and the audit rebuilt from the contract's events alone recomputes every merge. Learning and the
/// network are in-memory stand-ins here; the end-to-end tests use the real ones.
/// </summary>
public abstract class ChainRoundTests(ILocalChain chain) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-chain-rounds").FullName;
    private readonly SharedModelStore _store = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<SwarmCoordinator> Connect(NodeKey key, EthereumAddress? contract = null, SwarmConfig? deploy = null)
    {
        var eth = new EthClient(new JsonRpcClient(chain.RpcUrl));
        var sender = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
        return deploy is not null
            ? await SwarmCoordinator.DeployAsync(sender, deploy)
            : await SwarmCoordinator.AttachAsync(eth, contract!.Value, sender);
    }

    [Fact]
    public async Task Four_members_run_two_rounds_on_the_contract_and_the_audit_recomputes_every_merge()
    {
        var genesis = await _store.PutAsync(Vectors.ToBytes([0f, 0f, 0f]), default);
        var config = new SwarmConfig(MinPeers: 4, CommitWindowSeconds: 600, MergeTimeoutSeconds: 300, TargetClusterSize: 2,
            AllowlistOnly: false, ModelSpecHash: new byte[32], GenesisModel: genesis.DigestBytes(), Aggregation: AggregationStrategy.FedAvg);
        var deployed = await Connect(NodeKey.FromHex(HardhatNode.Account0PrivateKey), deploy: config);

        var drivers = new List<RoundDriver>();
        for (var i = 0; i < 4; i++)
        {
            var key = NodeKey.Generate();
            var contract = await Connect(key, deployed.Address);
            await contract.RegisterAsync($"/ip4/127.0.0.1/tcp/{4000 + i}/p2p/{key.PeerId}");
            drivers.Add(new RoundDriver(new ChainCoordinator(contract, key.Address), _store, new VectorLearner([i, 1, -i], (ulong)(50 + i)),
                new WeightedMeanMerger(), new RecordingAnnouncer(), new NodeStateStore(Path.Combine(_dir, $"s{i}.json")), TimeProvider.System));
        }

        var actions = new List<StepResult>();
        for (var step = 0; step < 30 && await deployed.CurrentRoundAsync() <= 2; step++)
            foreach (var driver in drivers) actions.Add(await driver.StepAsync(default));

        Assert.Equal(3ul, await deployed.CurrentRoundAsync());
        actions = actions.Where(a => a.Round <= 2).ToList(); // the last pass may already commit to round 3
        Assert.Equal(8, actions.Count(a => a.Action == StepAction.Committed));
        Assert.Equal(2, actions.Count(a => a.Action == StepAction.Closed));
        Assert.Equal(4, actions.Count(a => a.Action == StepAction.Merged));
        Assert.Equal(4, actions.Count(a => a.Action == StepAction.PublishedSemiGlobal));

        var history = await ChainHistoryReader.ReadAsync(deployed, default);
        Assert.Equal(2, history.Rounds.Count(r => r.Commits.Count == 4));
        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(history, verify: true, default);
        Assert.True(report.Passed, string.Join('\n', report.Findings));
        Assert.Equal(8, report.MergesRecomputed);

        // Swap one published merge for another model: the audit, reading the same events, must name that leader.
        var round1 = history.Rounds.First(r => r.Round == 1);
        var victim = round1.Merges[0];
        var forgedModel = await _store.PutAsync(Vectors.ToBytes([9f, 9f, 9f]), default);
        var tampered = history with
        {
            Rounds = [.. history.Rounds.Select(r => r.Round != 1 ? r : r with { Merges = [victim with { Model = forgedModel }, .. r.Merges.Skip(1)] })],
        };
        var failing = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(tampered, verify: true, default);
        Assert.Contains(failing.Failures, f => f.Round == 1 && f.Cluster == victim.Cluster && f.Leader == victim.Leader);
    }

    [Fact]
    public async Task A_dead_leader_is_replaced_on_chain_and_its_cluster_still_merges_every_committed_model()
    {
        var genesis = await _store.PutAsync(Vectors.ToBytes([0f, 0f]), default);
        var config = new SwarmConfig(MinPeers: 3, CommitWindowSeconds: 600, MergeTimeoutSeconds: 120, TargetClusterSize: 3,
            AllowlistOnly: false, ModelSpecHash: new byte[32], GenesisModel: genesis.DigestBytes(), Aggregation: AggregationStrategy.FedAvg);
        var deployed = await Connect(NodeKey.FromHex(HardhatNode.Account0PrivateKey), deploy: config);
        var nodes = new List<(EthereumAddress Address, RoundDriver Driver)>();
        for (var i = 0; i < 3; i++)
        {
            var key = NodeKey.Generate();
            var contract = await Connect(key, deployed.Address);
            await contract.RegisterAsync($"/ip4/127.0.0.1/tcp/{4100 + i}/p2p/{key.PeerId}");
            var clock = new ChainClock();
            nodes.Add((key.Address, new RoundDriver(new ChainCoordinator(contract, key.Address, clock), _store, new VectorLearner([i, -i], 10),
                new WeightedMeanMerger(), new RecordingAnnouncer(), new NodeStateStore(Path.Combine(_dir, $"d{i}.json")), clock)));
        }

        // Step one node at a time until the round closes, so the elected leader has had no chance to merge.
        for (var i = 0; i < 30 && await deployed.PhaseAsync() == SwarmFL.Chain.Contracts.RoundPhase.Commit; i++) await nodes[i % 3].Driver.StepAsync(default);
        var leader = (await deployed.LeaderOfAsync(1, 0)).Leader;
        var survivors = nodes.Where(n => n.Address != leader).ToList();

        foreach (var (_, driver) in survivors) Assert.Equal(StepAction.Waiting, (await driver.StepAsync(default)).Action); // too early to replace
        await deployed.Eth.IncreaseTimeAsync(121);
        await deployed.Eth.MineAsync();
        var actions = new List<StepResult>();
        for (var i = 0; i < 10 && await deployed.CurrentRoundAsync() == 1; i++)
            foreach (var (_, driver) in survivors) actions.Add(await driver.StepAsync(default));

        Assert.Contains(actions, a => a.Action == StepAction.ReplacedLeader);
        Assert.Equal(2ul, await deployed.CurrentRoundAsync());
        var history = await ChainHistoryReader.ReadAsync(deployed, default);
        var round1 = history.Rounds.Single(r => r.Round == 1);
        var merge = Assert.Single(round1.Merges);
        Assert.NotEqual(leader, merge.Leader);
        Assert.Equal(3, merge.Inputs.Count); // the dead leader's own model is merged too: it was replicated
        Assert.Contains(round1.Leaders, l => l.Replaced == leader);
        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(history, verify: true, default);
        Assert.True(report.Passed, string.Join('\n', report.Findings));
        Assert.Contains(report.Findings, f => f.Severity == FindingSeverity.Info && f.Leader == leader);
    }
}

public sealed class ChainRoundHardhatTests(HardhatNode chain) : ChainRoundTests(chain), IClassFixture<HardhatNode>;

public sealed class ChainRoundAnvilTests(AnvilNode chain) : ChainRoundTests(chain), IClassFixture<AnvilNode>;
