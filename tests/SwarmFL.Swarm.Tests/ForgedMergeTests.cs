using SwarmFL.Learning.Aggregation;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Audit;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Tests.Fakes;
using SwarmFL.Swarm.Verification;

namespace SwarmFL.Swarm.Tests;

/// <summary>
/// A leader that publishes a model its inputs do not give: honest members recompute it before they adopt it, refuse it,
/// and (for a cluster merge) object until the merge is voided and redone by the next candidate. No honest member ever
/// trains on a forged model.
/// </summary>
public sealed class ForgedMergeTests : IDisposable
{
    private static readonly float[] Forgery = [9f, -9f, 9f];
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-forged").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SharedModelStore _store = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Member(EthereumAddress Address, BaseRecordingLearner Learner, RoundDriver Driver);

    /// <summary>
    /// <paramref name="nodes"/> members in <paramref name="clusters"/> clusters; the member the fake elects first in
    /// cluster 0 (lowest address) forges what <paramref name="forge"/> says.
    /// </summary>
    private (InMemoryChain Chain, List<Member> Members, EthereumAddress Forger) Swarm(int nodes, int clusters, bool forgeMerge, bool forgeSemiGlobal,
        bool claimUnavailableAsMerged = false)
    {
        var genesis = _store.PutAsync(Vectors.ToBytes([0f, 0f, 0f]), default).Result;
        var rules = new SwarmRules(MinPeers: nodes, CommitWindow: TimeSpan.FromSeconds(30), MergeTimeout: TimeSpan.FromSeconds(20),
            TargetClusterSize: nodes / clusters, AggregationPolicy: "fedavg", GenesisModel: genesis, ObjectionWindow: TimeSpan.FromSeconds(10));
        var keys = Enumerable.Range(0, nodes).Select(_ => NodeKey.Generate()).ToList();
        var chain = new InMemoryChain(rules, keys.Select(k => k.Address).ToList(), clusters, _clock);
        var forger = keys.Select(k => k.Address).Where(a => chain.ClusterOf(a) == 0).OrderBy(a => a.ToString()).First();
        var members = keys.Select((k, i) =>
        {
            // Not linear in i: with linear targets and weights, the merge of the others equals member 2's model.
            var learner = new BaseRecordingLearner(new VectorLearner([i * i, 1, -i], samples: (ulong)(100 * (i + 1))));
            ISwarmCoordinator port = chain.For(k.Address);
            if (k.Address == forger) port = new ForgingCoordinator(port, _store, forgeMerge, forgeSemiGlobal) { ClaimUnavailableAsMerged = claimUnavailableAsMerged };
            var driver = new RoundDriver(port, _store, learner, new WeightedMeanMerger(), new RecordingAnnouncer(),
                new NodeStateStore(Path.Combine(_dir, $"state-{i}.json")), _clock);
            return new Member(k.Address, learner, driver);
        }).ToList();
        return (chain, members, forger);
    }

    private async Task RunRounds(InMemoryChain chain, List<Member> members, ulong rounds, Func<Member, bool>? silent = null, Func<Task>? eachPass = null)
    {
        for (var pass = 0; pass < 200 && chain.Round <= rounds; pass++)
        {
            if (eachPass is not null) await eachPass();
            foreach (var m in members.Where(m => silent?.Invoke(m) != true)) await m.Driver.StepAsync(default);
            _clock.Advance(TimeSpan.FromSeconds(1)); // windows and timeouts pass while the members keep stepping
        }
        Assert.True(chain.Round > rounds, $"stuck in round {chain.Round} phase {chain.Phase}");
    }

    [Fact]
    public async Task A_forged_cluster_merge_is_objected_to_voided_and_redone_and_no_honest_member_trains_on_it()
    {
        var (chain, members, forger) = Swarm(nodes: 4, clusters: 1, forgeMerge: true, forgeSemiGlobal: false);
        await RunRounds(chain, members, 2);

        var forged = ContentId.Of(Vectors.ToBytes(Forgery));
        var voided = Assert.Single(chain.VoidedMerges, v => v.Round == 1);
        Assert.Equal((forger, forged), (voided.Leader, voided.Model));
        // The honest members that stepped while it stood recomputed it, found it forged and objected; two of the three
        // others are a majority, so a third may find it voided already.
        var honest = members.Where(m => m.Address != forger).ToList();
        var objectors = chain.Objections.Where(o => o.Round == 1 && o.Leader == forger).Select(o => o.Member).ToList();
        Assert.Equal(2, objectors.Count);
        Assert.DoesNotContain(forger, objectors);
        Assert.All(objectors, o => Assert.Contains(forged, honest.Single(m => m.Address == o).Driver.ForgedMerges));
        // The next candidate redid the merge honestly, and the round went on from it.
        var redone = chain.Merges.Single(m => m.Round == 1);
        Assert.NotEqual(forger, redone.Leader);
        Assert.NotEqual(forged, redone.Model);
        Assert.DoesNotContain(MergeRecomputation.CombinedMerges(chain.Merges), m => m.Model == forged);
        Assert.Contains(chain.SemiGlobals, s => s.Round == 1);
        // No honest member trained on the forged model, or on anything combined from it.
        Assert.All(honest, m => Assert.DoesNotContain(forged, m.Learner.Bases));

        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.True(report.Passed, string.Join("\n", report.Findings));
        Assert.Contains(report.Findings, f => f.Round == 1 && f.Leader == forger && f.Message.Contains("voided"));
    }

    [Fact]
    public async Task A_forged_merge_that_only_a_minority_objects_to_while_the_rest_stay_silent_is_voided_when_the_window_closes()
    {
        // 6 committers: the forger, 2 honest checkers and 3 members that commit and then say nothing in round 1 (as
        // members whose inputs were garbage do). 2 objections of the 3 a majority needs: the window's end decides.
        var (chain, members, forger) = Swarm(nodes: 6, clusters: 1, forgeMerge: true, forgeSemiGlobal: false);
        var silent = members.Where(m => m.Address != forger).Take(3).Select(m => m.Address).ToHashSet();
        await RunRounds(chain, members, 2, silent: m => silent.Contains(m.Address) && chain.Round == 1 && chain.Phase != RoundPhase.Commit);

        var forged = ContentId.Of(Vectors.ToBytes(Forgery));
        var voided = Assert.Single(chain.VoidedMerges, v => v.Round == 1);
        Assert.Equal((forger, forged), (voided.Leader, voided.Model));
        var objectors = chain.Objections.Where(o => o.Round == 1 && o.Leader == forger).Select(o => o.Member).ToList();
        Assert.Equal(2, objectors.Count); // short of the majority: the void came from settling after the window
        Assert.DoesNotContain(objectors, silent.Contains);
        Assert.Empty(chain.Supports);
        Assert.DoesNotContain(MergeRecomputation.CombinedMerges(chain.Merges), m => m.Model == forged);
        Assert.Contains(chain.SemiGlobals, s => s.Round == 1);
        Assert.All(members.Where(m => m.Address != forger), m => Assert.DoesNotContain(forged, m.Learner.Bases));
        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.True(report.Passed, string.Join("\n", report.Findings));
    }

    [Fact]
    public async Task A_lying_objection_to_an_honest_merge_is_answered_by_supporters_and_the_merge_stands()
    {
        var (chain, members, leader) = Swarm(nodes: 4, clusters: 1, forgeMerge: false, forgeSemiGlobal: false);
        var liar = members.First(m => m.Address != leader).Address;
        var lied = false;
        await RunRounds(chain, members, 2, eachPass: async () =>
        {
            if (lied || chain.Merges.SingleOrDefault(m => m.Round == 1) is not { } merge) return;
            lied = await chain.For(liar).TryObjectToMergeAsync(1, 0, merge.Leader, default);
        });

        Assert.True(lied);
        Assert.Empty(chain.VoidedMerges);
        // One support answers one objection: members back a merge only while it is contested.
        var supporter = Assert.Single(chain.Supports, s => s.Round == 1).Member;
        Assert.Contains(supporter, members.Select(m => m.Address).Where(a => a != leader && a != liar));
        Assert.Contains(chain.SemiGlobals, s => s.Round == 1);
        Assert.Empty(chain.Replacements);
    }

    [Fact]
    public async Task A_forged_merge_that_rests_on_an_input_nobody_serves_is_objected_to_and_voided()
    {
        // The forger lists as merged an input that no holder serves (as a member trickling its bytes would make it), so
        // nobody can recompute the merge: checkers object to what they cannot reproduce rather than let it stand.
        var (chain, members, forger) = Swarm(nodes: 4, clusters: 1, forgeMerge: true, forgeSemiGlobal: false, claimUnavailableAsMerged: true);
        var lostOwner = members.Last(m => m.Address != forger).Address;
        var lost = false;
        await RunRounds(chain, members, 2, eachPass: () =>
        {
            // Lost once, when committed: a leader whose merge happens to equal it holds those bytes again.
            if (!lost && chain.Commits.SingleOrDefault(c => c.Round == 1 && c.Member == lostOwner) is { } commit) lost = _store.Lost.Add(commit.Model);
            return Task.CompletedTask;
        });

        var forged = ContentId.Of(Vectors.ToBytes(Forgery));
        var voided = Assert.Single(chain.VoidedMerges, v => v.Round == 1);
        Assert.Equal((forger, forged), (voided.Leader, voided.Model));
        Assert.Contains(chain.Commits.Single(c => c.Round == 1 && c.Member == lostOwner).Model, voided.Inputs);
        var objectors = chain.Objections.Where(o => o.Round == 1 && o.Leader == forger).Select(o => o.Member).ToList();
        Assert.Equal(2, objectors.Count); // a majority of the three others
        Assert.All(objectors, o => Assert.Contains(forged, members.Single(m => m.Address == o).Driver.ForgedMerges));
        // The redone merge records the lost input as unavailable, and stands.
        var redone = chain.Merges.Single(m => m.Round == 1);
        Assert.Contains(redone.Drops, d => d.Reason == RejectionReason.Unavailable);
        Assert.All(members.Where(m => m.Address != forger), m => Assert.DoesNotContain(forged, m.Learner.Bases));
    }

    [Fact]
    public async Task A_forged_semi_global_is_refused_by_the_members_who_would_train_on_it_and_the_audit_names_its_leader()
    {
        var (chain, members, forger) = Swarm(nodes: 4, clusters: 2, forgeMerge: false, forgeSemiGlobal: true);
        await RunRounds(chain, members, 2);

        var forgedSemi = chain.SemiGlobals.Single(s => s.Round == 1 && s.Leader == forger);
        Assert.Equal(ContentId.Of(Vectors.ToBytes(Forgery)), forgedSemi.Model);
        // In round 2 the forger's cluster has the forged model as its base; its honest member trains on its previous
        // base (genesis) instead. The other cluster's base is honest and is adopted.
        var honestInCluster0 = members.Single(m => m.Address != forger && chain.ClusterOf(m.Address) == 0);
        Assert.DoesNotContain(forgedSemi.Model, honestInCluster0.Learner.Bases);
        Assert.Equal(2, honestInCluster0.Learner.Bases.Count(b => b == chain.Rules.GenesisModel)); // rounds 1 and 2
        var honestSemi = chain.SemiGlobals.Single(s => s.Round == 1 && s.Cluster == 1);
        Assert.All(members.Where(m => chain.ClusterOf(m.Address) == 1), m => Assert.Contains(honestSemi.Model, m.Learner.Bases));

        var report = await new Auditor(_store, new WeightedMeanMerger()).AuditAsync(chain.History(), verify: true, default);
        Assert.False(report.Passed);
        Assert.Contains(report.Findings, f => f.Severity == FindingSeverity.Failure && f.Round == 1 && f.Leader == forger && f.Message.Contains("semi-global"));
    }

    [Fact]
    public async Task A_member_that_samples_no_merge_does_not_object_and_the_others_still_void_the_forgery()
    {
        var (chain, members, forger) = Swarm(nodes: 4, clusters: 1, forgeMerge: true, forgeSemiGlobal: false);
        // One honest member checks a tiny share of merges: find a secret under which it skips round 1's forgery.
        var lazy = members.First(m => m.Address != forger);
        var forged = ContentId.Of(Vectors.ToBytes(Forgery));
        var secret = Enumerable.Range(0, 1000).Select(i => BitConverter.GetBytes(i)).First(s => !MergeSampling.Of(0.01, s).ShouldCheck(1, 0, forged));
        var index = members.IndexOf(lazy);
        var driver = new RoundDriver(chain.For(lazy.Address), _store, lazy.Learner, new WeightedMeanMerger(), new RecordingAnnouncer(),
            new NodeStateStore(Path.Combine(_dir, "lazy.json")), _clock) { Sampling = MergeSampling.Of(0.01, secret) };
        members[index] = lazy with { Driver = driver };

        await RunRounds(chain, members, 1);

        Assert.DoesNotContain(chain.Objections, o => o.Member == lazy.Address);
        Assert.Empty(driver.ForgedMerges);
        Assert.Single(chain.VoidedMerges, v => v.Leader == forger); // the two members that checked were a majority
    }

    [Fact]
    public void The_sample_is_deterministic_per_secret_unpredictable_without_it_and_close_to_its_fraction()
    {
        var ids = Enumerable.Range(0, 2000).Select(i => ContentId.Of(BitConverter.GetBytes(i))).ToList();
        var a = MergeSampling.Of(0.25, "secret a"u8);
        var again = MergeSampling.Of(0.25, "secret a"u8);
        var b = MergeSampling.Of(0.25, "secret b"u8);
        var pickedA = ids.Select(id => a.ShouldCheck(3, 1, id)).ToList();
        Assert.Equal(pickedA, ids.Select(id => again.ShouldCheck(3, 1, id)));
        Assert.InRange(pickedA.Count(x => x), 400, 600); // 500 expected; outside this range has probability < 1e-6
        Assert.NotEqual(pickedA, ids.Select(id => b.ShouldCheck(3, 1, id)));
        Assert.NotEqual(pickedA, ids.Select(id => a.ShouldCheck(4, 1, id))); // another round, another draw
        Assert.All(ids, id => Assert.True(MergeSampling.All.ShouldCheck(1, 0, id)));

        Assert.Equal(1, MergeSampling.ParseFraction("all", out _));
        Assert.Equal(0.1, MergeSampling.ParseFraction("0.1", out _));
        foreach (var bad in new[] { "0", "1.5", "-0.2", "half", "" })
        {
            Assert.Null(MergeSampling.ParseFraction(bad, out var error));
            Assert.Contains("fraction in (0, 1]", error);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => MergeSampling.Of(0, "s"u8));
    }

    /// <summary>Remembers the content id of every base model it is asked to train on.</summary>
    private sealed class BaseRecordingLearner(ILocalLearner inner) : ILocalLearner
    {
        public List<ContentId> Bases { get; } = [];
        public ulong TrainingSamples => inner.TrainingSamples;

        public Task<LocalUpdate> TrainAsync(byte[] baseModel, ulong round, IProgress<double>? progress, CancellationToken ct)
        {
            lock (Bases) Bases.Add(ContentId.Of(baseModel));
            return inner.TrainAsync(baseModel, round, progress, ct);
        }

        public Task<double> EvaluateAsync(byte[] model, CancellationToken ct) => inner.EvaluateAsync(model, ct);
    }

    /// <summary>A leader that publishes <see cref="Forgery"/> instead of what it merged or combined.</summary>
    private sealed class ForgingCoordinator(ISwarmCoordinator inner, IModelExchange store, bool merge, bool semiGlobal) : DelegatingCoordinator(inner)
    {
        /// <summary>Lists the inputs it could not fetch as merged, so that nobody else can reproduce the merge either.</summary>
        public bool ClaimUnavailableAsMerged { get; init; }

        public override async Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, IReadOnlyList<RecordedDrop> dropped, CancellationToken ct)
        {
            if (ClaimUnavailableAsMerged)
            {
                inputs = [.. inputs, .. dropped.Where(d => d.Reason == RejectionReason.Unavailable).Select(d => d.Id)];
                dropped = dropped.Where(d => d.Reason != RejectionReason.Unavailable).ToList();
            }
            await base.PublishMergeAsync(round, cluster, merge ? await store.PutAsync(Vectors.ToBytes(Forgery), ct) : model, inputs, dropped, ct);
        }

        public override async Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, CancellationToken ct) =>
            await base.PublishSemiGlobalAsync(round, cluster, semiGlobal ? await store.PutAsync(Vectors.ToBytes(Forgery), ct) : model, ct);
    }
}
