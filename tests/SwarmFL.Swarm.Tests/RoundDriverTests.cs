using SwarmFL.Crypto;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Tests.Fakes;

namespace SwarmFL.Swarm.Tests;

public sealed class RoundDriverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-rounds").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SharedModelStore _store = new();
    private readonly RecordingAnnouncer _announcer = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Member(EthereumAddress Address, VectorLearner Learner, RoundDriver Driver, NodeStateStore State);

    private (InMemoryChain Chain, List<Member> Members) Swarm(int nodes, int clusters)
    {
        var genesis = _store.PutAsync(Vectors.ToBytes([0f, 0f, 0f]), default).Result;
        var rules = new SwarmRules(MinPeers: nodes - 1, CommitWindow: TimeSpan.FromSeconds(30), MergeTimeout: TimeSpan.FromSeconds(20),
            TargetClusterSize: nodes / clusters, AggregationPolicy: "fedavg", GenesisModel: genesis);
        var keys = Enumerable.Range(0, nodes).Select(_ => NodeKey.Generate()).ToList();
        var chain = new InMemoryChain(rules, keys.Select(k => k.Address).ToList(), clusters, _clock);
        var members = keys.Select((k, i) =>
        {
            var learner = new VectorLearner([i, 1, -i], samples: (ulong)(100 * (i + 1)));
            var state = new NodeStateStore(Path.Combine(_dir, $"state-{i}.json"));
            return new Member(k.Address, learner, NewDriver(chain, k.Address, learner, state), state);
        }).ToList();
        return (chain, members);
    }

    private RoundDriver NewDriver(InMemoryChain chain, EthereumAddress self, VectorLearner learner, NodeStateStore state) =>
        new(chain.For(self), _store, learner, new WeightedMeanMerger(), _announcer, state, _clock);

    private static async Task<List<StepResult>> StepAll(IEnumerable<Member> members)
    {
        var results = new List<StepResult>();
        foreach (var m in members) results.Add(await m.Driver.StepAsync(default));
        return results;
    }

    [Fact]
    public async Task Four_nodes_complete_three_rounds_and_each_base_model_is_the_previous_semi_global()
    {
        var (chain, members) = Swarm(nodes: 4, clusters: 2);
        for (var i = 0; i < 40 && chain.Round <= 3; i++) await StepAll(members);

        Assert.True(chain.Round > 3, $"stuck in round {chain.Round} phase {chain.Phase}");
        for (ulong r = 1; r <= 3; r++)
        {
            Assert.Equal(4, chain.Commits.Count(c => c.Round == r));
            Assert.Equal(2, chain.Merges.Count(m => m.Round == r));
            Assert.Equal(2, chain.SemiGlobals.Count(s => s.Round == r));
            foreach (var merge in chain.Merges.Where(m => m.Round == r))
                Assert.Equal(chain.Commits.Where(c => c.Round == r && c.Cluster == merge.Cluster).Select(c => c.Model).OrderBy(x => x.ToString()),
                    merge.Inputs.OrderBy(x => x.ToString()));
        }
        // Every cluster's semi-global averages all clusters, so the clusters agree on the next base model.
        Assert.Single(chain.SemiGlobals.Where(s => s.Round == 3).Select(s => s.Model).Distinct());
        Assert.Equal(chain.SemiGlobals.Single(s => s.Round == 2 && s.Cluster == 0).Model, members[0].State.Get(3)!.BaseModel is { } b ? ContentId.Parse(b) : default);
    }

    [Fact]
    public async Task A_dead_leader_is_replaced_after_the_timeout_and_no_committed_model_is_lost()
    {
        var (chain, members) = Swarm(nodes: 4, clusters: 1);
        // Step one node at a time and stop at the close, so the leader gets no chance to merge before it "dies".
        for (var i = 0; i < 20 && chain.Phase == RoundPhase.Commit; i++) await members[i % members.Count].Driver.StepAsync(default);
        Assert.Equal(RoundPhase.Merge, chain.Phase);

        var leader = (await chain.For(members[0].Address).GetLeaderAsync(1, 0, default))!.Leader;
        var alive = members.Where(m => m.Address != leader).ToList();
        await StepAll(alive);
        Assert.Empty(chain.Merges); // nobody replaces a leader before its timeout

        _clock.Advance(TimeSpan.FromSeconds(21));
        var results = await StepAll(alive);
        Assert.Contains(results, r => r.Action == StepAction.ReplacedLeader);
        Assert.Equal(leader, Assert.Single(chain.Replacements).Failed);

        for (var i = 0; i < 10 && chain.Round == 1; i++) { await StepAll(alive); _clock.Advance(TimeSpan.FromSeconds(21)); }
        var merge = Assert.Single(chain.Merges, m => m.Round == 1);
        Assert.NotEqual(leader, merge.Leader);
        // The dead leader's own committed model is still merged: it was replicated, not held by the leader alone.
        Assert.Equal(4, merge.Inputs.Count);
        Assert.Equal(2ul, chain.Round);
    }

    [Fact]
    public async Task A_restarted_node_commits_the_model_it_trained_before_instead_of_training_again()
    {
        var (chain, members) = Swarm(nodes: 2, clusters: 1);
        var node = members[0];
        await node.Driver.StepAsync(default); // trains and commits
        Assert.Equal(1, node.Learner.TrainCalls);

        var restarted = NewDriver(chain, node.Address, node.Learner, new NodeStateStore(Path.Combine(_dir, "state-0.json")));
        var again = await restarted.StepAsync(default);
        Assert.NotEqual(StepAction.Committed, again.Action); // the chain says it committed: nothing to redo
        Assert.Equal(1, node.Learner.TrainCalls);
        Assert.Single(chain.Commits, c => c.Member == node.Address);
    }

    [Fact]
    public async Task A_trained_but_uncommitted_model_survives_a_restart()
    {
        var (chain, members) = Swarm(nodes: 2, clusters: 1);
        var node = members[1];
        var statePath = Path.Combine(_dir, "state-1.json");
        var failing = new RoundDriver(new FailingCommit(chain.For(node.Address)), _store, node.Learner, new WeightedMeanMerger(), _announcer,
            new NodeStateStore(statePath), _clock);
        await Assert.ThrowsAsync<HttpRequestException>(() => failing.StepAsync(default));
        Assert.Equal(1, node.Learner.TrainCalls);

        var restarted = NewDriver(chain, node.Address, node.Learner, new NodeStateStore(statePath));
        Assert.Equal(StepAction.Committed, (await restarted.StepAsync(default)).Action);
        Assert.Equal(1, node.Learner.TrainCalls);
        Assert.Equal(ContentId.Parse(new NodeStateStore(statePath).Get(1)!.LocalModel!), chain.Commits.Single().Model);
    }

    [Fact]
    public async Task The_host_sees_each_new_round_before_its_work_starts_and_the_final_model_is_validated_after_the_last_round()
    {
        var (chain, members) = Swarm(nodes: 2, clusters: 1);
        var seen = new List<(ulong Round, int TrainCallsThen)>();
        var watched = members[0];
        var driver = new RoundDriver(chain.For(watched.Address), _store, watched.Learner, new WeightedMeanMerger(), _announcer, watched.State, _clock)
        {
            LastRound = 2,
            Observed = snapshot => seen.Add((snapshot.Round, watched.Learner.TrainCalls)),
        };
        var drivers = new[] { driver, members[1].Driver };
        for (var i = 0; i < 30 && chain.Round <= 2; i++)
            foreach (var d in drivers) await d.StepAsync(default);
        Assert.True(chain.Round > 2, $"stuck in round {chain.Round} phase {chain.Phase}");
        await driver.StepAsync(default); // past the last round: validates the final model, once
        await driver.StepAsync(default);

        // Round 2 was first seen before the node trained for it (one training so far: round 1's).
        Assert.Equal(1, seen.First(s => s.Round == 2).TrainCallsThen);
        Assert.Equal(2, watched.Learner.TrainCalls);
        var final = chain.SemiGlobals.Single(s => s.Round == 2).Model;
        var reports = _announcer.Sent.Where(a => a.Kind == SwarmFL.Swarm.Ports.AnnouncementKind.Validation && a.Model == final).ToList();
        var report = Assert.Single(reports, a => a.Samples == watched.Learner.TrainingSamples);
        Assert.Equal(3UL, report.Round);
        Assert.Equal(final.ToString(), watched.State.Get(3)!.BaseModel);
        Assert.Equal(report.Accuracy, watched.State.Get(3)!.BaseAccuracy);
    }

    [Fact]
    public void An_unreadable_state_file_is_moved_aside_not_deleted()
    {
        var path = Path.Combine(_dir, "state.json");
        File.WriteAllText(path, "{ not json");
        var store = new NodeStateStore(path);
        Assert.Empty(store.All());
        var aside = Assert.Single(Directory.GetFiles(_dir, "state.json.unreadable-*"));
        Assert.Equal("{ not json", File.ReadAllText(aside));
    }

    [Fact]
    public void A_data_directory_cannot_be_opened_twice()
    {
        using var first = DataDirectory.Open(Path.Combine(_dir, "node"));
        var e = Assert.Throws<DataDirectoryInUseException>(() => DataDirectory.Open(Path.Combine(_dir, "node")));
        Assert.Contains("--data-dir", e.Message);
    }

    private sealed class FailingCommit(SwarmFL.Swarm.Ports.ISwarmCoordinator inner) : DelegatingCoordinator(inner)
    {
        public override Task CommitAsync(ulong round, int cluster, ContentId model, ulong samples, uint metricPpm, CancellationToken ct) =>
            throw new HttpRequestException("chain RPC unreachable");
    }
}
