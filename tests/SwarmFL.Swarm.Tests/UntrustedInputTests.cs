using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Swarm.Audit;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Tests.Fakes;

namespace SwarmFL.Swarm.Tests;

/// <summary>
/// Members whose inputs are bad (NaN, wrong size) or unreachable cannot stop their cluster: the leader drops them, the
/// drops go on record with the merge, and the audit reproduces exactly those drops and that merge.
/// </summary>
public sealed class UntrustedInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-untrusted").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SharedModelStore _store = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (InMemoryChain Chain, List<EthereumAddress> Members, List<RoundDriver> Drivers) Swarm()
    {
        var genesis = _store.PutAsync(Vectors.ToBytes([0f, 0f, 0f]), default).Result;
        var rules = new SwarmRules(MinPeers: 4, CommitWindow: TimeSpan.FromSeconds(30), MergeTimeout: TimeSpan.FromSeconds(20),
            TargetClusterSize: 5, AggregationPolicy: "fedavg", GenesisModel: genesis);
        var keys = Enumerable.Range(0, 5).Select(_ => NodeKey.Generate()).ToList();
        var chain = new InMemoryChain(rules, keys.Select(k => k.Address).ToList(), 1, _clock);
        ILocalLearner LearnerOf(int i)
        {
            var honest = new VectorLearner([i, 1, -i], samples: (ulong)(100 * (i + 1)));
            return i switch
            {
                3 => new CorruptingLearner(honest, w => { w[1] = float.NaN; return w; }),
                4 => new CorruptingLearner(honest, w => [.. w, 0f]),
                _ => honest,
            };
        }
        var drivers = keys.Select((k, i) => new RoundDriver(chain.For(k.Address), _store, LearnerOf(i), new WeightedMeanMerger(),
            new RecordingAnnouncer(), new NodeStateStore(Path.Combine(_dir, $"state-{i}.json")), _clock)).ToList();
        return (chain, keys.Select(k => k.Address).ToList(), drivers);
    }

    private static async Task StepAll(IEnumerable<RoundDriver> drivers)
    {
        foreach (var d in drivers) await d.StepAsync(default);
    }

    [Fact]
    public async Task NaN_wrong_size_and_unreachable_inputs_are_dropped_on_record_and_the_cluster_merges_every_round()
    {
        var (chain, members, drivers) = Swarm();
        for (ulong round = 1; round <= 3; round++)
        {
            // Member 2's model has no reachable holder once committed: a leader can only drop it.
            for (var i = 0; i < 100 && chain.Round == round; i++)
            {
                await drivers[i % drivers.Count].StepAsync(default);
                if (chain.Commits.SingleOrDefault(c => c.Round == round && c.Member == members[2]) is { } lost) _store.Lost.Add(lost.Model);
            }
            Assert.True(chain.Round > round, $"round {round} stuck in {chain.Phase}");
        }

        var commits = chain.Commits.ToLookup(c => (c.Round, c.Member), c => c.Model);
        for (ulong round = 1; round <= 3; round++)
        {
            var merge = chain.Merges.Single(m => m.Round == round);
            Assert.Equal(new[] { commits[(round, members[0])].Single(), commits[(round, members[1])].Single() }.OrderBy(x => x.ToString()),
                merge.Inputs.OrderBy(x => x.ToString()));
            Assert.Equal(
                new[] { (commits[(round, members[2])].Single(), RejectionReason.Unavailable), (commits[(round, members[3])].Single(), RejectionReason.NonFinite),
                    (commits[(round, members[4])].Single(), RejectionReason.WrongSize) }.OrderBy(d => d.Item2),
                merge.Drops.Select(d => (d.Id, d.Reason)).OrderBy(d => d.Reason));
            // What everyone trains on next is finite.
            var semi = chain.SemiGlobals.Single(s => s.Round == round);
            Assert.All(Vectors.FromBytes(await _store.GetAsync(semi.Model, default)), x => Assert.True(float.IsFinite(x)));
        }

        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.True(report.Passed, string.Join('\n', report.Findings));
        Assert.Equal(6, report.MergesRecomputed);
        var drops = report.Findings.Where(f => f.Severity == FindingSeverity.Info && f.Message.StartsWith("dropped ")).ToList();
        Assert.Equal(9, drops.Count);
        Assert.Equal(3, drops.Count(f => f.Message.Contains("non-finite") && f.Message.Contains(members[3].ToString())));
    }

    [Fact]
    public async Task The_audit_fails_a_leader_whose_recorded_drops_or_omissions_do_not_reproduce()
    {
        var (chain, members, drivers) = Swarm();
        for (var i = 0; i < 40 && chain.Round == 1; i++) await StepAll(drivers);
        var honest = chain.Merges.Single(m => m.Round == 1);
        var victim = honest.Inputs[0];

        // A leader claims an honest input was NaN (and merged without it): the audit recomputes different drops.
        chain.Merges[0] = honest with { Inputs = honest.Inputs.Skip(1).ToList(), Dropped = [.. honest.Drops, new RecordedDrop(victim, RejectionReason.NonFinite)] };
        var forgedDrop = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.False(forgedDrop.Passed);
        Assert.Contains(forgedDrop.Failures, f => f.Message.Contains("records drops") && f.Leader == honest.Leader);

        // A leader leaves an input out without a word: censorship is a failure too.
        chain.Merges[0] = honest with { Inputs = honest.Inputs.Skip(1).ToList() };
        var omitted = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: false, default);
        Assert.Contains(omitted.Failures, f => f.Message.Contains($"left out {victim}"));
    }
}
