using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Tests.Fakes;

/// <summary>
/// A small in-memory model of the coordinator contract's round state machine (docs/contracts-interface.md), enough to
/// drive several RoundDrivers against one shared "chain" in a unit test. The real contract has its own Hardhat tests.
/// </summary>
public sealed class InMemoryChain(SwarmRules rules, IReadOnlyList<EthereumAddress> members, int clusterCount, TimeProvider clock)
{
    private readonly object _gate = new();
    public IReadOnlyList<EthereumAddress> Members { get; } = members;
    public int ClusterCount { get; } = clusterCount;
    public SwarmRules Rules { get; } = rules;
    public ulong Round { get; private set; } = 1;
    public RoundPhase Phase { get; private set; } = RoundPhase.Commit;
    public DateTimeOffset Deadline { get; private set; } = clock.GetUtcNow() + rules.CommitWindow;
    public List<CommittedModel> Commits { get; } = [];
    public List<PublishedMerge> Merges { get; } = [];
    public List<PublishedSemiGlobal> SemiGlobals { get; } = [];
    public List<(ulong Round, int Cluster, EthereumAddress Failed, EthereumAddress Next)> Replacements { get; } = [];
    public Dictionary<int, ContentId> BaseModels { get; } = [];
    /// <summary>Merges voided by a majority of objections (out of <see cref="Merges"/>), and every objection sent.</summary>
    public List<PublishedMerge> VoidedMerges { get; } = [];
    public List<(ulong Round, int Cluster, EthereumAddress Member, EthereumAddress Leader)> Objections { get; } = [];
    public List<(ulong Round, int Cluster, EthereumAddress Member, EthereumAddress Leader)> Supports { get; } = [];
    /// <summary>When the SemiGlobal phase began: the objection window (Rules.ObjectionWindow) runs from here.</summary>
    public DateTimeOffset? SemiGlobalStartedAt { get; private set; }
    /// <summary>Merges endorsed by every other committer of their cluster: no vote on them is taken.</summary>
    public List<(ulong Round, int Cluster, EthereumAddress Leader)> Endorsed { get; } = [];

    /// <summary>As the contract: the window ends objectionWindow after the SemiGlobal phase began, or at its start once
    /// every standing merge of the round is endorsed.</summary>
    private DateTimeOffset? WindowEnd => Merges.Where(m => m.Round == Round).All(m => Endorsed.Contains((m.Round, m.Cluster, m.Leader)))
        ? SemiGlobalStartedAt
        : SemiGlobalStartedAt + Rules.ObjectionWindow;

    /// <summary>The fake's endorsement: the signer's address after a marker of the merge; the fake chain checks both.</summary>
    public static byte[] FakeEndorsement(ulong round, int cluster, EthereumAddress leader, EthereumAddress signer) =>
        [.. System.Text.Encoding.ASCII.GetBytes($"{round}/{cluster}/{leader}"), .. signer.Bytes];
    private readonly Dictionary<(ulong, int), (List<EthereumAddress> Candidates, int Attempt, DateTimeOffset ElectedAt)> _leaders = [];

    public int ClusterOf(EthereumAddress member) => Members.ToList().IndexOf(member) * ClusterCount / Members.Count;

    public ISwarmCoordinator For(EthereumAddress self) => new View(this, self, clock);

    /// <summary>The history as the contract's events would tell it.</summary>
    public SwarmFL.Swarm.Audit.SwarmHistory History()
    {
        lock (_gate)
        {
            var rounds = Commits.Select(c => c.Round).Distinct().Order().Select(r =>
            {
                var leaders = new List<SwarmFL.Swarm.Audit.LeaderEvent>();
                foreach (var ((round, cluster), l) in _leaders.Where(kv => kv.Key.Item1 == r).OrderBy(kv => kv.Key.Item2))
                {
                    leaders.Add(new(cluster, l.Candidates[0], 0, null));
                    foreach (var (rep, i) in Replacements.Where(x => x.Round == r && x.Cluster == cluster).Select((x, i) => (x, i)))
                        leaders.Add(new(cluster, rep.Next, i + 1, rep.Failed));
                }
                foreach (var v in VoidedMerges.Where(v => v.Round == r))
                {
                    var l = _leaders[(r, v.Cluster)];
                    var next = Merges.FirstOrDefault(m => m.Round == r && m.Cluster == v.Cluster)?.Leader ?? EthereumAddress.Zero;
                    leaders.Add(new(v.Cluster, next, l.Attempt, v.Leader, Voided: true));
                }
                return new SwarmFL.Swarm.Audit.RoundHistory(r, Commits.Where(c => c.Round == r).ToList(), leaders,
                    [.. Merges.Where(m => m.Round == r).Select(m => m with { Endorsed = Endorsed.Contains((m.Round, m.Cluster, m.Leader)) }), .. VoidedMerges.Where(m => m.Round == r).Select(m => m with { Voided = true })],
                    SemiGlobals.Where(x => x.Round == r).ToList());
            }).ToList();
            return new SwarmFL.Swarm.Audit.SwarmHistory(Rules, rounds);
        }
    }

    private (int Objections, int Supporters) Tally(PublishedMerge merge)
    {
        bool On((ulong Round, int Cluster, EthereumAddress Member, EthereumAddress Leader) v) => v.Round == merge.Round && v.Cluster == merge.Cluster && v.Leader == merge.Leader;
        return (Objections.Count(On), Supports.Count(On));
    }

    private ClusterVotes VotesOn(PublishedMerge merge)
    {
        var (objections, supporters) = Tally(merge);
        return new ClusterVotes(objections, supporters, ContestedIn(merge.Round));
    }

    private int ContestedIn(ulong round) => Merges.Where(m => m.Round == round).Select(Tally).Count(t => t.Objections > t.Supporters);

    /// <summary>As the contract's void: the leader fails, the next candidate redoes the merge, and the round merges again.</summary>
    private void Void(PublishedMerge merge, TimeProvider clock)
    {
        Merges.Remove(merge);
        VoidedMerges.Add(merge);
        var l = _leaders[(merge.Round, merge.Cluster)];
        _leaders[(merge.Round, merge.Cluster)] = (l.Candidates, l.Attempt + 1, clock.GetUtcNow());
        Phase = RoundPhase.Merge;
        SemiGlobalStartedAt = null;
    }

    private sealed class View(InMemoryChain c, EthereumAddress self, TimeProvider clock) : ISwarmCoordinator
    {
        public EthereumAddress Self => self;
        public Task<SwarmRules> GetRulesAsync(CancellationToken ct) => Task.FromResult(c.Rules);

        public Task<RoundSnapshot> GetRoundAsync(CancellationToken ct)
        {
            lock (c._gate)
            {
                int? cluster = c.Members.Contains(self) ? c.ClusterOf(self) : null;
                ContentId? baseModel = cluster is { } k && c.BaseModels.TryGetValue(k, out var b) ? b : null;
                return Task.FromResult(new RoundSnapshot(c.Round, c.Phase, c.Deadline, c.Members.Count, c.Commits.Count(x => x.Round == c.Round),
                    c.ClusterCount, cluster, baseModel, c.Commits.Any(x => x.Round == c.Round && x.Member == self)));
            }
        }

        public Task CommitAsync(ulong round, int cluster, ContentId model, ulong samples, uint metricPpm, CancellationToken ct)
        {
            lock (c._gate)
            {
                if (round != c.Round || c.Phase != RoundPhase.Commit) throw new InvalidOperationException("WrongPhase");
                if (c.Commits.Any(x => x.Round == round && x.Member == self)) throw new InvalidOperationException("AlreadyCommitted");
                if (cluster != c.ClusterOf(self)) throw new InvalidOperationException("WrongCluster");
                c.Commits.Add(new CommittedModel(round, cluster, self, model, samples, metricPpm));
            }
            return Task.CompletedTask;
        }

        public Task<bool> TryCloseAsync(ulong round, CancellationToken ct)
        {
            lock (c._gate)
            {
                var commits = c.Commits.Where(x => x.Round == round).ToList();
                var allowed = commits.Count == c.Members.Count || (clock.GetUtcNow() >= c.Deadline && commits.Count >= c.Rules.MinPeers);
                if (round != c.Round || c.Phase != RoundPhase.Commit || !allowed) return Task.FromResult(false);
                c.Phase = RoundPhase.Merge;
                foreach (var cluster in commits.Select(x => x.Cluster).Distinct())
                {
                    var candidates = commits.Where(x => x.Cluster == cluster).Select(x => x.Member).OrderBy(a => a.ToString()).ToList();
                    c._leaders[(round, cluster)] = (candidates, 0, clock.GetUtcNow());
                }
                return Task.FromResult(true);
            }
        }

        public Task<ClusterLeader?> GetLeaderAsync(ulong round, int cluster, CancellationToken ct)
        {
            lock (c._gate)
            {
                if (!c._leaders.TryGetValue((round, cluster), out var l)) return Task.FromResult<ClusterLeader?>(null);
                return Task.FromResult<ClusterLeader?>(new ClusterLeader(l.Candidates[l.Attempt % l.Candidates.Count], l.ElectedAt, l.Attempt));
            }
        }

        public Task<bool> TryReplaceLeaderAsync(ulong round, int cluster, CancellationToken ct)
        {
            lock (c._gate)
            {
                var l = c._leaders[(round, cluster)];
                if (clock.GetUtcNow() < l.ElectedAt + c.Rules.MergeTimeout) return Task.FromResult(false);
                var failed = l.Candidates[l.Attempt % l.Candidates.Count];
                c._leaders[(round, cluster)] = (l.Candidates, l.Attempt + 1, clock.GetUtcNow());
                c.Replacements.Add((round, cluster, failed, l.Candidates[(l.Attempt + 1) % l.Candidates.Count]));
                return Task.FromResult(true);
            }
        }

        public Task<bool> TryDrawLeadersAsync(ulong round, CancellationToken ct) => Task.FromResult(false); // the fake draws at the close
        public Task<bool> TryContinueOpeningAsync(ulong round, CancellationToken ct) => Task.FromResult(false); // the fake opens in one step

        /// <summary>As the contract: a committer of the cluster other than the leader, once per merge; more than half of
        /// the other committers void it, and the next candidate leads.</summary>
        public Task<bool> TryObjectToMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct)
        {
            lock (c._gate)
            {
                if (!MayVote(round, cluster, leader, out var merge, out var committers)) return Task.FromResult(false);
                c.Objections.Add((round, cluster, self, leader));
                var needed = (committers - 1) / 2 + 1;
                if (c.Objections.Count(o => o.Round == round && o.Cluster == cluster && o.Leader == leader) >= needed) c.Void(merge!, clock);
                return Task.FromResult(true);
            }
        }

        public Task<bool> TrySupportMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct)
        {
            lock (c._gate)
            {
                if (!MayVote(round, cluster, leader, out _, out _)) return Task.FromResult(false);
                c.Supports.Add((round, cluster, self, leader));
                return Task.FromResult(true);
            }
        }

        public byte[] SignEndorsement(ulong round, int cluster, EthereumAddress leader) => FakeEndorsement(round, cluster, leader, self);

        /// <summary>As the contract: every committer of the cluster other than the leader, each with its own endorsement of
        /// this merge, and no objection to it.</summary>
        public Task<bool> TryEndorseMergeAsync(ulong round, int cluster, EthereumAddress leader, IReadOnlyCollection<KeyValuePair<EthereumAddress, byte[]>> endorsements, CancellationToken ct)
        {
            lock (c._gate)
            {
                var merge = c.Merges.FirstOrDefault(m => m.Round == round && m.Cluster == cluster && m.Leader == leader);
                var others = c.Commits.Where(x => x.Round == round && x.Cluster == cluster && x.Member != leader).Select(x => x.Member).ToHashSet();
                var signers = endorsements.Where(e => e.Value.AsSpan().SequenceEqual(FakeEndorsement(round, cluster, leader, e.Key))).Select(e => e.Key).ToHashSet();
                if (round != c.Round || merge is null || c.Endorsed.Contains((round, cluster, leader))
                    || c.Objections.Any(o => o.Round == round && o.Cluster == cluster && o.Leader == leader)
                    || endorsements.Count != others.Count || !signers.SetEquals(others)) return Task.FromResult(false);
                c.Endorsed.Add((round, cluster, leader));
                return Task.FromResult(true);
            }
        }

        public Task<bool> TrySettleContestedMergeAsync(ulong round, int cluster, CancellationToken ct)
        {
            lock (c._gate)
            {
                if (round != c.Round || c.Phase != RoundPhase.SemiGlobal || clock.GetUtcNow() < c.WindowEnd) return Task.FromResult(false);
                var merge = c.Merges.FirstOrDefault(m => m.Round == round && m.Cluster == cluster);
                if (merge is null || !c.VotesOn(merge).Contested) return Task.FromResult(false);
                c.Void(merge, clock);
                return Task.FromResult(true);
            }
        }

        public Task<ClusterVotes> GetMergeVotesAsync(ulong round, int cluster, CancellationToken ct)
        {
            lock (c._gate)
            {
                var merge = c.Merges.FirstOrDefault(m => m.Round == round && m.Cluster == cluster);
                return Task.FromResult(merge is null ? ClusterVotes.None with { ContestedInRound = c.ContestedIn(round) } : c.VotesOn(merge));
            }
        }

        private bool MayVote(ulong round, int cluster, EthereumAddress leader, out PublishedMerge? merge, out int committers)
        {
            merge = c.Merges.FirstOrDefault(m => m.Round == round && m.Cluster == cluster && m.Leader == leader);
            var members = c.Commits.Where(x => x.Round == round && x.Cluster == cluster).Select(x => x.Member).ToList();
            committers = members.Count;
            var windowOpen = c.Phase == RoundPhase.Merge || (c.Phase == RoundPhase.SemiGlobal && clock.GetUtcNow() < c.WindowEnd);
            return round == c.Round && merge is not null && windowOpen && self != leader && members.Contains(self) && !c.Endorsed.Contains((round, cluster, leader))
                && !c.Objections.Contains((round, cluster, self, leader)) && !c.Supports.Contains((round, cluster, self, leader));
        }

        public Task<DateTimeOffset?> GetObjectionDeadlineAsync(ulong round, CancellationToken ct)
        {
            lock (c._gate)
                return Task.FromResult(c.Phase == RoundPhase.SemiGlobal && round == c.Round ? c.WindowEnd : null);
        }

        public Task<IReadOnlyList<CommittedModel>> GetCommitsAsync(ulong round, CancellationToken ct)
        {
            lock (c._gate) return Task.FromResult<IReadOnlyList<CommittedModel>>(c.Commits.Where(x => x.Round == round).ToList());
        }

        public Task<IReadOnlyList<PublishedMerge>> GetMergesAsync(ulong round, CancellationToken ct)
        {
            lock (c._gate)
                return Task.FromResult<IReadOnlyList<PublishedMerge>>(c.Merges.Where(x => x.Round == round)
                    .Select(m => m with { Endorsed = c.Endorsed.Contains((m.Round, m.Cluster, m.Leader)) }).ToList());
        }

        public Task<IReadOnlyList<PublishedSemiGlobal>> GetSemiGlobalsAsync(ulong round, CancellationToken ct)
        {
            lock (c._gate) return Task.FromResult<IReadOnlyList<PublishedSemiGlobal>>(c.SemiGlobals.Where(x => x.Round == round).ToList());
        }

        public async Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, IReadOnlyList<RecordedDrop> dropped, CancellationToken ct)
        {
            var leader = await GetLeaderAsync(round, cluster, ct);
            lock (c._gate)
            {
                if (leader?.Leader != self) throw new InvalidOperationException("NotLeader");
                c.Merges.Add(new PublishedMerge(round, cluster, self, model, inputs, dropped));
                var committedClusters = c.Commits.Where(x => x.Round == round).Select(x => x.Cluster).Distinct().Count();
                if (c.Merges.Count(m => m.Round == round) == committedClusters)
                {
                    c.Phase = RoundPhase.SemiGlobal;
                    c.SemiGlobalStartedAt = clock.GetUtcNow();
                    foreach (var key in c._leaders.Keys.Where(k => k.Item1 == round).ToList())
                        c._leaders[key] = c._leaders[key] with { ElectedAt = clock.GetUtcNow() };
                }
            }
        }

        public async Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, CancellationToken ct)
        {
            var leader = await GetLeaderAsync(round, cluster, ct);
            lock (c._gate)
            {
                if (leader?.Leader != self || c.Phase != RoundPhase.SemiGlobal) throw new InvalidOperationException("NotLeader/WrongPhase");
                if (clock.GetUtcNow() < c.WindowEnd) throw new InvalidOperationException("ObjectionWindowOpen");
                if (c.ContestedIn(round) > 0) throw new InvalidOperationException("MergesContested");
                c.SemiGlobals.Add(new PublishedSemiGlobal(round, cluster, self, model));
                if (c.SemiGlobals.Count(s => s.Round == round) == c.Merges.Count(m => m.Round == round))
                {
                    foreach (var s in c.SemiGlobals.Where(s => s.Round == round)) c.BaseModels[s.Cluster] = s.Model;
                    c.Round++;
                    c.Phase = RoundPhase.Commit;
                    c.Deadline = clock.GetUtcNow() + c.Rules.CommitWindow;
                }
            }
        }
    }
}
