using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Tests.Fakes;
using SwarmFL.Swarm.Verification;

namespace SwarmFL.Swarm.Tests;

/// <summary>
/// Members that recomputed their cluster's merge to the same model endorse it by gossip; the leader hands the
/// endorsements in once every other committer's is there, and once every standing merge is endorsed the round goes on
/// without waiting out the objection window. Anything short of every committer leaves the window to run.
/// </summary>
public sealed class EndorsementTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-endorse").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SharedModelStore _store = new();
    private readonly EndorsementBoard _board = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Gossip as the tests need it: an endorsement reaches the (shared) board under its sender's address.</summary>
    private sealed class BoardGossip(EndorsementBoard board, EthereumAddress self, bool silent, bool loseFirst) : IModelAnnouncer
    {
        public int Endorsements { get; private set; }
        public int Sent { get; private set; }

        public Task AnnounceAsync(ModelAnnouncement announcement, CancellationToken ct)
        {
            if (announcement.Kind != AnnouncementKind.Endorsement || silent) return Task.CompletedTask;
            if (Sent++ == 0 && loseFirst) return Task.CompletedTask;
            Endorsements++;
            board.Note(announcement.Round, announcement.Cluster, announcement.Leader!.Value, self, announcement.Signature!);
            return Task.CompletedTask;
        }
    }

    private (InMemoryChain Chain, List<(RoundDriver Driver, BoardGossip Gossip)> Nodes) Swarm(int nodes, int clusters, int silentNodes = 0, bool endorse = true, bool loseFirst = false)
    {
        var genesis = _store.PutAsync(Vectors.ToBytes([0f, 0f, 0f]), default).Result;
        var rules = new SwarmRules(MinPeers: nodes, CommitWindow: TimeSpan.FromSeconds(30), MergeTimeout: TimeSpan.FromHours(2),
            TargetClusterSize: nodes / clusters, AggregationPolicy: "fedavg", GenesisModel: genesis, ObjectionWindow: Window);
        var keys = Enumerable.Range(0, nodes).Select(_ => NodeKey.Generate()).ToList();
        var chain = new InMemoryChain(rules, keys.Select(k => k.Address).ToList(), clusters, _clock);
        var built = keys.Select((k, i) =>
        {
            var gossip = new BoardGossip(_board, k.Address, silent: i < silentNodes, loseFirst);
            var driver = new RoundDriver(chain.For(k.Address), _store, new VectorLearner([i, 1, -i], (ulong)(10 + i)), new WeightedMeanMerger(), gossip,
                new NodeStateStore(Path.Combine(_dir, $"state-{i}.json")), _clock) { Endorsements = _board, Endorse = endorse };
            return (driver, gossip);
        }).ToList();
        return (chain, built);
    }

    private static async Task<List<StepResult>> StepUntil(IEnumerable<RoundDriver> drivers, Func<bool> done, int steps = 30)
    {
        var results = new List<StepResult>();
        for (var i = 0; i < steps && !done(); i++)
            foreach (var d in drivers) results.Add(await d.StepAsync(default));
        return results;
    }

    [Fact]
    public async Task With_every_committer_endorsing_the_rounds_go_on_long_before_the_objection_window_ends()
    {
        var (chain, nodes) = Swarm(nodes: 6, clusters: 2);
        var start = _clock.GetUtcNow();
        var results = await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 2);

        Assert.True(chain.Round > 2, $"stuck in round {chain.Round} phase {chain.Phase}");
        Assert.Equal(start, _clock.GetUtcNow()); // no time passed, let alone the hour-long window
        Assert.Equal(4, chain.Endorsed.Count); // 2 clusters × 2 rounds
        Assert.Equal(4, results.Count(r => r.Action == StepAction.Endorsed));
        foreach (var merge in chain.Merges) Assert.Contains((merge.Round, merge.Cluster, merge.Leader), chain.Endorsed);
        // Each non-leader endorsed each round's merge once: 2 rounds × 2 clusters × 2 others.
        Assert.Equal(8, nodes.Sum(n => n.Gossip.Endorsements));
        Assert.Empty(chain.Objections);
    }

    [Fact]
    public async Task One_silent_committer_leaves_the_window_to_run_its_course()
    {
        // Nodes 0 and 1 are in cluster 0: whichever leads it, one of its other committers stays silent.
        var (chain, nodes) = Swarm(nodes: 6, clusters: 2, silentNodes: 2);
        Assert.Equal([0, 0, 0], chain.Members.Take(3).Select(chain.ClusterOf));
        await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 1);

        Assert.Equal(1ul, chain.Round);
        Assert.Equal(RoundPhase.SemiGlobal, chain.Phase);
        Assert.Empty(chain.SemiGlobals);
        // The silent member's cluster could not be endorsed; the other could.
        Assert.Equal(1, Assert.Single(chain.Endorsed).Cluster);

        _clock.Advance(Window);
        await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 1);
        Assert.Equal(2ul, chain.Round);
    }

    [Fact]
    public async Task Endorsements_of_another_leader_or_round_do_not_count()
    {
        var (chain, nodes) = Swarm(nodes: 3, clusters: 1, silentNodes: 3);
        await StepUntil(nodes.Select(n => n.Driver), () => chain.Phase == RoundPhase.SemiGlobal);
        var merge = Assert.Single(chain.Merges);
        var others = chain.Members.Where(m => m != merge.Leader).ToList();
        // Real signatures of the right signers, but over round 2's merge, and over a merge of another leader.
        _board.Note(1, 0, merge.Leader, others[0], InMemoryChain.FakeEndorsement(2, 0, merge.Leader, others[0]));
        _board.Note(1, 0, merge.Leader, others[1], InMemoryChain.FakeEndorsement(1, 0, others[0], others[1]));
        var results = await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 1, steps: 3);

        Assert.Contains(results, r => r.Action == StepAction.Waiting && r.Detail.Contains("endorsements refused"));
        Assert.Empty(chain.Endorsed);
        Assert.Equal(1ul, chain.Round);
    }

    [Fact]
    public async Task Nodes_told_not_to_endorse_send_no_endorsement_and_wait_out_the_window()
    {
        var (chain, nodes) = Swarm(nodes: 4, clusters: 1, endorse: false);
        var results = await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 1);

        Assert.Equal(0, nodes.Sum(n => n.Gossip.Endorsements));
        Assert.DoesNotContain(results, r => r.Action == StepAction.Endorsed);
        Assert.Equal(1ul, chain.Round);
        _clock.Advance(Window);
        await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 1);
        Assert.Equal(2ul, chain.Round);
    }

    [Fact]
    public async Task A_lost_endorsement_is_repeated_and_the_round_still_ends_long_before_the_window()
    {
        var (chain, nodes) = Swarm(nodes: 4, clusters: 1, loseFirst: true);
        await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 1);
        Assert.Equal(1ul, chain.Round); // every first endorsement was lost
        Assert.Equal(0, nodes.Sum(n => n.Gossip.Endorsements));

        _clock.Advance(RoundDriver.EndorsementRepeat);
        await StepUntil(nodes.Select(n => n.Driver), () => chain.Round > 1);
        Assert.Equal(2ul, chain.Round);
        Assert.Equal(3, nodes.Sum(n => n.Gossip.Endorsements));
        Assert.Equal(6, nodes.Sum(n => n.Gossip.Sent)); // once lost, once repeated, and not again once endorsed
    }
}
