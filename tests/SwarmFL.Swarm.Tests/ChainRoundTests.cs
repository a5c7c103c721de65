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

    private async Task<SwarmCoordinator> Connect(NodeKey key, EthereumAddress? contract = null, SwarmConfig? deploy = null, ulong objectionWindow = 1)
    {
        var eth = new EthClient(new JsonRpcClient(chain.RpcUrl));
        var sender = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
        // A one-second objection window by default: semi-global models wait it out in real time. (Each automined block is
        // a second after the last, so a test that objects needs several.)
        return deploy is not null
            ? await SwarmCoordinator.DeployAsync(sender, deploy, new AggregationRules("fedavg", 1_000_000, 2, objectionWindow))
            : await SwarmCoordinator.AttachAsync(eth, contract!.Value, sender);
    }

    /// <summary>A new swarm deployed by the devnet's funded account: FedAvg, a 600 s commit window, and a genesis model of
    /// <paramref name="dimensions"/> zeros in the shared store.</summary>
    private async Task<SwarmCoordinator> DeploySwarmAsync(uint minPeers, ulong mergeTimeout, uint clusterSize, int dimensions = 3, ulong objectionWindow = 1)
    {
        var genesis = await _store.PutAsync(Vectors.ToBytes(new float[dimensions]), default);
        var config = new SwarmConfig(MinPeers: minPeers, CommitWindowSeconds: 600, MergeTimeoutSeconds: mergeTimeout, TargetClusterSize: clusterSize,
            AllowlistOnly: false, ModelSpecHash: new byte[32], GenesisModel: genesis.DigestBytes(), Aggregation: AggregationStrategy.FedAvg);
        return await Connect(NodeKey.FromHex(HardhatNode.Account0PrivateKey), deploy: config, objectionWindow: objectionWindow);
    }

    [Fact]
    public async Task Four_members_run_two_rounds_on_the_contract_and_the_audit_recomputes_every_merge()
    {
        var deployed = await DeploySwarmAsync(minPeers: 4, mergeTimeout: 300, clusterSize: 2);

        var drivers = new List<RoundDriver>();
        for (var i = 0; i < 4; i++)
        {
            var key = NodeKey.Generate();
            var contract = await Connect(key, deployed.Address);
            await contract.RegisterAsync($"/ip4/127.0.0.1/tcp/{4000 + i}/p2p/{key.PeerId}");
            // The chain's clock: another test on the same node may have moved the chain's time ahead of the wall clock.
            var clock = new ChainClock();
            drivers.Add(new RoundDriver(new ChainCoordinator(contract, key.Address, clock), _store, new VectorLearner([i, 1, -i], (ulong)(50 + i)),
                new WeightedMeanMerger(), new RecordingAnnouncer(), new NodeStateStore(Path.Combine(_dir, $"s{i}.json")), clock));
        }

        var actions = await StepUntil(drivers, async () => await deployed.CurrentRoundAsync() > 2);

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
        var deployed = await DeploySwarmAsync(minPeers: 3, mergeTimeout: 120, clusterSize: 3, dimensions: 2);
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

        // Step one node at a time until the leaders are drawn, so the elected leader has had no chance to merge.
        for (var i = 0; i < 60 && await deployed.PhaseAsync() is SwarmFL.Chain.Contracts.RoundPhase.Commit or SwarmFL.Chain.Contracts.RoundPhase.Election; i++)
            await nodes[i % 3].Driver.StepAsync(default);
        var leader = (await deployed.LeaderOfAsync(1, 0)).Leader;
        var survivors = nodes.Where(n => n.Address != leader).ToList();

        foreach (var (_, driver) in survivors) Assert.Equal(StepAction.Waiting, (await driver.StepAsync(default)).Action); // too early to replace
        await deployed.Eth.IncreaseTimeAsync(121);
        await deployed.Eth.MineAsync();
        var actions = await StepUntil(survivors.Select(s => s.Driver), async () => await deployed.CurrentRoundAsync() > 1);

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

    [Fact]
    public async Task A_forged_merge_is_objected_to_and_voided_on_chain_and_the_next_candidate_redoes_it()
    {
        var deployed = await DeploySwarmAsync(minPeers: 4, mergeTimeout: 300, clusterSize: 4, objectionWindow: 15);
        // Whoever is drawn first forges: the first merge published in the swarm is replaced by another model.
        var forgery = new ForgeOnce(_store, Vectors.ToBytes([9f, -9f, 9f]));
        var drivers = new List<RoundDriver>();
        for (var i = 0; i < 4; i++)
        {
            var key = NodeKey.Generate();
            var contract = await Connect(key, deployed.Address);
            await contract.RegisterAsync($"/ip4/127.0.0.1/tcp/{4200 + i}/p2p/{key.PeerId}");
            var clock = new ChainClock();
            drivers.Add(new RoundDriver(new ForgingCoordinator(new ChainCoordinator(contract, key.Address, clock), forgery), _store,
                new VectorLearner([i, 1, -i], (ulong)(50 + i)), new WeightedMeanMerger(), new RecordingAnnouncer(),
                new NodeStateStore(Path.Combine(_dir, $"f{i}.json")), clock));
        }

        var actions = await StepUntil(drivers, async () => await deployed.CurrentRoundAsync() > 1);

        var events = await deployed.GetEventsAsync();
        Assert.True(events.OfType<MergeVoided>().Count() == 1, string.Join("\n", actions));
        var voided = events.OfType<MergeVoided>().Single();
        Assert.Equal(forgery.Forger, voided.Leader);
        Assert.Equal(2, events.OfType<MergeObjected>().Count(o => o.Leader == voided.Leader)); // 2 of the 3 others
        Assert.Equal(1U, await deployed.LeaderFailuresAsync(voided.Leader));
        Assert.Contains(actions, a => a.Action == StepAction.Objected);
        var history = await ChainHistoryReader.ReadAsync(deployed, default);
        var round1 = history.Rounds.Single(r => r.Round == 1);
        Assert.Equal(2, round1.Merges.Count);
        var standing = Assert.Single(round1.Merges, m => !m.Voided);
        Assert.Equal(voided.NextLeader, standing.Leader);
        Assert.NotEmpty(round1.SemiGlobals); // they combine the standing merge only (the audit below recomputes them)
        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(history, verify: true, default);
        Assert.True(report.Passed, string.Join('\n', report.Findings));
        Assert.Contains(report.Findings, f => f.Round == 1 && f.Leader == voided.Leader && f.Message.Contains("voided"));
    }

    [Fact]
    public async Task A_round_with_more_registrations_than_one_batch_opens_over_several_transactions_that_the_nodes_send()
    {
        const int members = 72; // sorting 72 joiners and writing 72 ring entries is more than one OPENING_BATCH (128 steps)
        var deployed = await DeploySwarmAsync(minPeers: members, mergeTimeout: 300, clusterSize: 4, dimensions: 2);
        for (var i = 0; i < members - 1; i++)
        {
            var other = NodeKey.Generate();
            await (await Connect(other, deployed.Address)).RegisterAsync($"/ip4/127.0.0.1/tcp/{4300 + i}/p2p/{other.PeerId}");
        }
        var key = NodeKey.Generate();
        var contract = await Connect(key, deployed.Address);
        await contract.RegisterAsync($"/ip4/127.0.0.1/tcp/4399/p2p/{key.PeerId}"); // the registration that reaches min-peers
        Assert.Equal(SwarmFL.Chain.Contracts.RoundPhase.Opening, await deployed.PhaseAsync());

        var clock = new ChainClock();
        var coordinator = new ChainCoordinator(contract, key.Address, clock);
        var driver = new RoundDriver(coordinator, _store, new VectorLearner([1, -1], 10), new WeightedMeanMerger(), new RecordingAnnouncer(),
            new NodeStateStore(Path.Combine(_dir, "o.json")), clock);
        var opening = await coordinator.GetRoundAsync(default);
        Assert.False(opening.IAmMember); // no clusters while the ring is rebuilt
        var actions = await StepUntil([driver], async () => await deployed.PhaseAsync() != SwarmFL.Chain.Contracts.RoundPhase.Opening);

        Assert.Contains(actions, a => a.Action == StepAction.ContinuedOpening && a.Phase == SwarmFL.Swarm.Rounds.RoundPhase.Opening);
        Assert.Equal(SwarmFL.Chain.Contracts.RoundPhase.Commit, await deployed.PhaseAsync());
        Assert.Equal((uint)members, (await deployed.RoundInfoAsync(1)).MemberCount);
        var ring = await deployed.MembersAsync();
        Assert.Equal(members, ring.Distinct().Count());
        var ringIds = new List<string>();
        foreach (var member in ring) ringIds.Add(Convert.ToHexString((await deployed.MemberInfoAsync(member)).RingId));
        Assert.Equal(ringIds.Order(StringComparer.Ordinal), ringIds); // sorted by ring id, as a one-transaction opening sorts
        var open = await coordinator.GetRoundAsync(default);
        Assert.True(open.IAmMember);
        Assert.Equal(SwarmFL.Swarm.Rounds.RoundPhase.Commit, open.Phase);
        Assert.Equal((int)await deployed.ClusterOfAsync(key.Address), open.MyCluster);
    }

    [Fact]
    public async Task Members_endorse_every_merge_with_signatures_the_contract_accepts_and_the_round_ends_without_waiting_out_the_window()
    {
        // An hour-long window: the round can only end within the test's two minutes if the endorsements end it.
        var deployed = await DeploySwarmAsync(minPeers: 4, mergeTimeout: 7200, clusterSize: 2, objectionWindow: 3600);
        var board = new SwarmFL.Swarm.Verification.EndorsementBoard();
        var drivers = new List<RoundDriver>();
        for (var i = 0; i < 4; i++)
        {
            var key = NodeKey.Generate();
            var contract = await Connect(key, deployed.Address);
            await contract.RegisterAsync($"/ip4/127.0.0.1/tcp/{4100 + i}/p2p/{key.PeerId}");
            var clock = new ChainClock();
            drivers.Add(new RoundDriver(new ChainCoordinator(contract, key.Address, clock), _store, new VectorLearner([i, 1, -i], (ulong)(50 + i)),
                new WeightedMeanMerger(), new SignatureCheckingGossip(deployed, board), new NodeStateStore(Path.Combine(_dir, $"e{i}.json")), clock)
            { Endorsements = board });
        }
        var openedAt = (await deployed.RoundInfoAsync(1)).OpenedAt;

        var actions = await StepUntil(drivers, async () => await deployed.CurrentRoundAsync() > 1);

        Assert.Equal(2, actions.Count(a => a is { Round: 1, Action: StepAction.Endorsed }));
        var events = await deployed.GetEventsAsync();
        var endorsed = events.OfType<MergeEndorsed>().Where(e => e.Round == 1).ToList();
        Assert.Equal(2, endorsed.Count);
        Assert.All(endorsed, e => Assert.Equal(1u, e.Endorsers));
        Assert.Equal(events.OfType<MergePublished>().Where(e => e.Round == 1).Select(e => (e.Cluster, e.Leader)).Order(),
            endorsed.Select(e => (e.Cluster, e.Leader)).Order());
        var next = await deployed.RoundInfoAsync(2);
        Assert.True(next.OpenedAt - openedAt < 3600, $"round 2 opened {next.OpenedAt - openedAt} s after round 1: the window was waited out");
        // The digest this node signs is the contract's own.
        var leader = endorsed[0].Leader;
        Assert.Equal(Hex.Encode(await deployed.EndorsementDigestOnChainAsync(1, 0, leader)), Hex.Encode(deployed.EndorsementDigest(1, 0, leader)));
    }

    /// <summary>Gossip as SwarmNode reads it: an endorsement goes on the board under the signer it recovers to.</summary>
    private sealed class SignatureCheckingGossip(SwarmCoordinator contract, SwarmFL.Swarm.Verification.EndorsementBoard board) : SwarmFL.Swarm.Ports.IModelAnnouncer
    {
        public Task AnnounceAsync(SwarmFL.Swarm.Ports.ModelAnnouncement a, CancellationToken ct)
        {
            if (a.Kind == SwarmFL.Swarm.Ports.AnnouncementKind.Endorsement
                && contract.EndorserOf(a.Round, (uint)a.Cluster, a.Leader!.Value, a.Signature) is { } signer)
                board.Note(a.Round, a.Cluster, a.Leader!.Value, signer, a.Signature!);
            return Task.CompletedTask;
        }
    }

    /// <summary>Steps every driver in turn until <paramref name="done"/> (polling, capped at two minutes: the objection
    /// window and the chain's blocks pass in real time).</summary>
    private static async Task<List<StepResult>> StepUntil(IEnumerable<RoundDriver> drivers, Func<Task<bool>> done)
    {
        var all = drivers.ToList();
        var actions = new List<StepResult>();
        var cap = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < cap, $"not done after two minutes; last steps: {string.Join("; ", actions.TakeLast(8))}");
            foreach (var driver in all) actions.Add(await driver.StepAsync(default));
            if (actions.TakeLast(all.Count).All(a => a.Action == StepAction.Waiting)) await Task.Delay(100);
        }
        return actions;
    }

    /// <summary>Shared by all members' ports: the first merge published in the swarm is swapped for <c>forged</c>.</summary>
    private sealed class ForgeOnce(SharedModelStore store, byte[] forged)
    {
        private int _used;
        public EthereumAddress? Forger { get; private set; }
        public ContentId? Model { get; private set; }

        public async Task<ContentId> MaybeForgeAsync(EthereumAddress self, ContentId honest)
        {
            if (Interlocked.Exchange(ref _used, 1) == 1) return honest;
            Forger = self;
            return (Model = await store.PutAsync(forged, default)).Value;
        }
    }

    private sealed class ForgingCoordinator(SwarmFL.Swarm.Ports.ISwarmCoordinator inner, ForgeOnce forgery) : DelegatingCoordinator(inner)
    {
        public override async Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs,
            IReadOnlyList<RecordedDrop> dropped, CancellationToken ct) =>
            await base.PublishMergeAsync(round, cluster, await forgery.MaybeForgeAsync(Self, model), inputs, dropped, ct);
    }
}

public sealed class ChainRoundHardhatTests(HardhatNode chain) : ChainRoundTests(chain), IClassFixture<HardhatNode>;

public sealed class ChainRoundAnvilTests(AnvilNode chain) : ChainRoundTests(chain), IClassFixture<AnvilNode>;
