using SwarmFL.Crypto;
using SwarmFL.Swarm.Audit;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Tests.Fakes;

namespace SwarmFL.Swarm.Tests;

public sealed class AuditorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-audit").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SharedModelStore _store = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs a real (in-memory) swarm for some rounds; one node may use a dishonest merge engine.</summary>
    private async Task<InMemoryChain> RunSwarm(int rounds, Func<InMemoryChain, EthereumAddress, IMergeEngine>? mergerFor = null)
    {
        var genesis = await _store.PutAsync(Vectors.ToBytes([0f, 0f]), default);
        var rules = new SwarmRules(3, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), 2, "fedavg", genesis);
        var keys = Enumerable.Range(0, 4).Select(_ => NodeKey.Generate()).ToList();
        var chain = new InMemoryChain(rules, keys.Select(k => k.Address).ToList(), 2, _clock);
        var drivers = keys.Select((k, i) => new RoundDriver(chain.For(k.Address), _store, new VectorLearner([i, -i], (ulong)(10 + i)),
            mergerFor?.Invoke(chain, k.Address) ?? new WeightedMeanMerger(), new RecordingAnnouncer(), new NodeStateStore(Path.Combine(_dir, $"s{i}.json")), _clock)).ToList();
        for (var step = 0; step < 20 * rounds && chain.Round <= (ulong)rounds; step++)
            foreach (var d in drivers) await d.StepAsync(default);
        Assert.True(chain.Round > (ulong)rounds);
        return chain;
    }

    [Fact]
    public async Task An_honest_swarm_passes_the_audit_with_every_merge_recomputed()
    {
        var chain = await RunSwarm(rounds: 2);
        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.True(report.Passed, string.Join('\n', report.Findings));
        Assert.Equal(8, report.MergesRecomputed); // 2 rounds × (2 cluster merges + 2 semi-globals)
        Assert.True(report.HashesChecked > 0);
    }

    [Fact]
    public async Task A_leader_that_publishes_something_other_than_the_aggregate_of_its_inputs_is_named()
    {
        // The fake contract elects the smallest address among a cluster's committers: make that node of cluster 0 cheat.
        static EthereumAddress LeaderOfCluster0(InMemoryChain c) => c.Members.Where(m => c.ClusterOf(m) == 0).MinBy(m => m.ToString());
        var chain = await RunSwarm(rounds: 2, mergerFor: (c, self) => self == LeaderOfCluster0(c) ? new SkewingMerger() : new WeightedMeanMerger());
        var cheater = LeaderOfCluster0(chain);
        Assert.Contains(chain.Merges, m => m.Leader == cheater); // otherwise the test proves nothing

        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.False(report.Passed);
        Assert.All(report.Failures, f => Assert.Equal(cheater, f.Leader));
        Assert.Contains(report.Failures, f => f.Message.Contains("aggregate to"));
    }

    [Fact]
    public async Task A_forged_merge_on_record_as_endorsed_names_every_endorser()
    {
        static EthereumAddress LeaderOfCluster0(InMemoryChain c) => c.Members.Where(m => c.ClusterOf(m) == 0).MinBy(m => m.ToString());
        var chain = await RunSwarm(rounds: 1, mergerFor: (c, self) => self == LeaderOfCluster0(c) ? new SkewingMerger() : new WeightedMeanMerger());
        var cheater = LeaderOfCluster0(chain);
        var history = chain.History();
        var honest = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(history, verify: true, default);
        Assert.DoesNotContain(honest.Failures, f => f.Message.Contains("endorsed"));

        var round = history.Rounds[0];
        var tampered = history with { Rounds = [round with { Merges = [.. round.Merges.Select(m => m with { Endorsed = true })] }] };
        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(tampered, verify: true, default);

        var endorsers = round.Commits.Where(c => c.Cluster == 0 && c.Member != cheater).Select(c => c.Member).ToList();
        Assert.NotEmpty(endorsers);
        var failure = Assert.Single(report.Failures, f => f.Message.Contains("endorsed"));
        Assert.Equal(cheater, failure.Leader);
        Assert.All(endorsers, e => Assert.Contains(e.ToString(), failure.Message));
    }

    [Fact]
    public async Task Without_verify_the_lineage_is_still_checked_and_a_foreign_input_is_a_failure()
    {
        var chain = await RunSwarm(rounds: 1);
        var history = chain.History();
        var round = history.Rounds[0];
        var forged = round.Merges[0] with { Inputs = [.. round.Merges[0].Inputs, ContentId.Of("not committed"u8)] };
        var tampered = history with { Rounds = [round with { Merges = [forged, .. round.Merges.Skip(1)] }] };

        var report = await new Auditor(null, null).AuditAsync(tampered, verify: false, default);
        var failure = Assert.Single(report.Failures, f => f.Message.Contains("not committed"));
        Assert.Equal(forged.Leader, failure.Leader);
        Assert.Equal(0, report.MergesRecomputed);
    }

    [Fact]
    public async Task Unreachable_weights_are_reported_as_unverified_not_as_failures()
    {
        var chain = await RunSwarm(rounds: 1);
        foreach (var commit in chain.Commits) _store.Lost.Add(commit.Model);
        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.True(report.Passed, string.Join('\n', report.Findings));
        Assert.Contains(report.Findings, f => f.Severity == FindingSeverity.Unverified);
    }

    [Fact]
    public async Task The_lineage_printout_names_commits_leaders_and_merges()
    {
        var chain = await RunSwarm(rounds: 1);
        var text = LineagePrinter.Print(chain.History());
        Assert.Contains("round 1: 4 commits", text);
        Assert.Contains(chain.Merges[0].Model.ToString(), text);
        Assert.Contains(chain.Merges[0].Leader.ToString(), text);
    }

    /// <summary>A dishonest leader: shifts every weight a little, so the result is not the aggregate of its inputs.</summary>
    private sealed class SkewingMerger : IMergeEngine
    {
        public MergeResult Merge(string strategy, byte[] baseModel, IReadOnlyList<MergeInput> inputs)
        {
            var honest = Vectors.FromBytes(new WeightedMeanMerger().Merge(strategy, baseModel, inputs).Model);
            return new MergeResult(Vectors.ToBytes(honest.Select(w => w + 0.01f).ToArray()), []);
        }
    }
}
