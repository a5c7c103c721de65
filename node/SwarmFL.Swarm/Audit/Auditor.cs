using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Verification;

namespace SwarmFL.Swarm.Audit;

/// <summary>
/// Re-checks a swarm's history. Without weights it checks the lineage itself: every merge came from its cluster's
/// leader and merged only models committed to that cluster in that round, every semi-global combines that round's
/// cluster models, and each round starts from the previous round's semi-global. With weights (verify) it also checks
/// every content id against the bytes and recomputes every merge it can, comparing bit for bit. Models it cannot reach
/// are reported as unverified, not as failures; anything that does not add up is a failure naming the leader.
/// </summary>
public sealed class Auditor(IModelExchange? models, IMergeEngine? merger)
{
    private readonly List<AuditFinding> _findings = [];
    // A round's models are read by several recomputations (every semi-global reads every cluster model): fetch and
    // hash each once per round. Only one round's models are held at a time.
    private readonly Dictionary<ContentId, byte[]?> _roundModels = [];
    private int _recomputed;
    private int _hashesChecked;

    public async Task<AuditReport> AuditAsync(SwarmHistory history, bool verify, CancellationToken ct)
    {
        _findings.Clear();
        _recomputed = 0;
        _hashesChecked = 0;
        var baseModels = new Dictionary<int, PublishedSemiGlobal>();
        foreach (var round in history.Rounds.OrderBy(r => r.Round))
        {
            _roundModels.Clear();
            CheckLineage(round);
            if (verify && models is not null && merger is not null)
                await RecomputeAsync(history.Rules, round, baseModels, ct);
            foreach (var semi in round.SemiGlobals) baseModels[semi.Cluster] = semi;
        }
        _roundModels.Clear();
        return new AuditReport(_findings.ToList(), _recomputed, _hashesChecked);
    }

    private void CheckLineage(RoundHistory round)
    {
        foreach (var merge in round.Merges)
        {
            // The merge is its leader's at the time it published: a later replacement (of a semi-global leader) or a void
            // moves the cluster's leadership on, not the merge. (The contract only takes a merge from the current leader.)
            var leader = round.Leaders.LastOrDefault(l => l.Cluster == merge.Cluster && l.Leader == merge.Leader);
            if (leader is null || leader.Leader != merge.Leader)
                Fail(round.Round, merge.Cluster, merge.Leader, $"published merge {merge.Model} without being the cluster's elected leader");
            var committed = round.Commits.Where(c => c.Cluster == merge.Cluster).Select(c => c.Model).ToHashSet();
            foreach (var input in merge.Inputs.Where(i => !committed.Contains(i)))
                Fail(round.Round, merge.Cluster, merge.Leader, $"merged {input}, which was not committed to this cluster in this round");
            if (merge.Inputs.Count != merge.Inputs.Distinct().Count())
                Fail(round.Round, merge.Cluster, merge.Leader, "listed the same input more than once");
            foreach (var drop in merge.Drops)
            {
                var member = round.Commits.FirstOrDefault(c => c.Cluster == merge.Cluster && c.Model == drop.Id)?.Member;
                if (!committed.Contains(drop.Id))
                    Fail(round.Round, merge.Cluster, merge.Leader, $"recorded a drop of {drop.Id}, which was not committed to this cluster in this round");
                else if (merge.Inputs.Contains(drop.Id))
                    Fail(round.Round, merge.Cluster, merge.Leader, $"both merged and dropped {drop.Id}");
                else
                    _findings.Add(new AuditFinding(FindingSeverity.Info, round.Round, merge.Cluster, merge.Leader,
                        $"dropped {drop.Id} committed by {member}: {InputRejection.Describe(drop.Reason)}"));
            }
            var accounted = merge.Inputs.Concat(merge.Drops.Select(d => d.Id)).ToHashSet();
            foreach (var missing in committed.Where(c => !accounted.Contains(c)))
                Fail(round.Round, merge.Cluster, merge.Leader, $"left out {missing}, committed to this cluster, without recording a drop");
        }
        foreach (var replacement in round.Leaders.Where(l => l.Replaced is not null && !l.Voided))
            _findings.Add(new AuditFinding(FindingSeverity.Info, round.Round, replacement.Cluster, replacement.Replaced,
                $"missed its timeout and was replaced by {replacement.Leader}"));
    }

    private async Task RecomputeAsync(SwarmRules rules, RoundHistory round, Dictionary<int, PublishedSemiGlobal> baseModels, CancellationToken ct)
    {
        foreach (var merge in round.Merges)
        {
            // A model whose bytes fail their check is charged to whoever published it: the previous round's semi-global
            // leader for the base, the merging leader for what it merged.
            var baseModel = baseModels.GetValueOrDefault(merge.Cluster) is { } semi
                ? await TryGetAsync(semi.Model, new Source(semi.Round, semi.Cluster, semi.Leader, "semi-global model"), ct)
                : await TryGetAsync(rules.GenesisModel, new Source(round.Round, merge.Cluster, null, "genesis model"), ct);
            // The merge is recomputed from what it used and what it dropped for a reason anyone can check; an input the
            // leader could not fetch (Unavailable) is taken at its word, since no one else can tell what it could reach.
            var candidates = MergeRecomputation.Candidates(merge);
            var inputs = new List<MergeInput>();
            foreach (var id in candidates)
            {
                var commit = round.Commits.FirstOrDefault(c => c.Cluster == merge.Cluster && c.Model == id);
                var what = commit is null ? "merge input" : $"merge input committed by {commit.Member}";
                var bytes = await TryGetAsync(id, new Source(round.Round, merge.Cluster, merge.Leader, what), ct);
                if (bytes is not null && commit is not null) inputs.Add(new MergeInput(id, bytes, commit.Samples));
            }
            if (baseModel is null || inputs.Count != candidates.Count)
            {
                if (merge.Voided) Voided(round, merge, null);
                continue;
            }
            var verdict = MergeRecomputation.CheckMerge(merger!, rules.AggregationPolicy, baseModel, merge, inputs);
            if (merge.Voided) Voided(round, merge, verdict);
            else Report(round.Round, merge.Cluster, merge.Leader, verdict);
            if (merge.Endorsed && !verdict.Holds) FalseEndorsement(round, merge);
        }
        var combined = MergeRecomputation.CombinedMerges(round.Merges);
        foreach (var semi in round.SemiGlobals)
        {
            var inputs = new List<MergeInput>();
            foreach (var merge in combined)
            {
                var bytes = await TryGetAsync(merge.Model, new Source(round.Round, merge.Cluster, merge.Leader, "cluster model"), ct);
                if (bytes is not null) inputs.Add(new MergeInput(merge.Model, bytes, SemiGlobal.WeightOf(merge, round.Commits)));
            }
            var own = round.Merges.FirstOrDefault(m => m.Cluster == semi.Cluster && !m.Voided);
            if (own is null || inputs.Count != combined.Count) continue;
            var ownBytes = inputs.First(i => i.Id == own.Model).Model;
            Report(round.Round, semi.Cluster, semi.Leader, MergeRecomputation.CheckSemiGlobal(merger!, semi, ownBytes, inputs));
        }
    }

    /// <summary>A recomputation of a standing merge or semi-global: each problem is a failure charged to its leader.</summary>
    private void Report(ulong round, int cluster, EthereumAddress leader, MergeVerdict verdict)
    {
        if (verdict.Recomputed is not null) _recomputed++;
        foreach (var problem in verdict.Problems) Fail(round, cluster, leader, problem);
    }

    /// <summary>
    /// An endorsed merge carries the signature of every other committer of its cluster: when it does not hold, each of
    /// them signed that it recomputed a merge it cannot have recomputed, and the audit names them.
    /// </summary>
    private void FalseEndorsement(RoundHistory round, PublishedMerge merge)
    {
        var endorsers = round.Commits.Where(c => c.Cluster == merge.Cluster && c.Member != merge.Leader).Select(c => c.Member.ToString());
        Fail(round.Round, merge.Cluster, merge.Leader,
            $"merge {merge.Model} does not hold, yet every other committer of the cluster endorsed it: {string.Join(", ", endorsers)}");
    }

    /// <summary>
    /// A merge the cluster's objections voided is listed; it is a failure only when it does reproduce, since then an
    /// objecting majority voided an honest merge.
    /// </summary>
    private void Voided(RoundHistory round, PublishedMerge merge, MergeVerdict? verdict)
    {
        var next = round.Leaders.FirstOrDefault(l => l.Voided && l.Cluster == merge.Cluster && l.Replaced == merge.Leader)?.Leader;
        var then = next is { } n && n != EthereumAddress.Zero ? $"{n} redid the merge" : "no candidate was left, the cluster was skipped";
        if (verdict is null)
        {
            _findings.Add(new AuditFinding(FindingSeverity.Info, round.Round, merge.Cluster, merge.Leader,
                $"merge {merge.Model} was voided by its cluster's objections (not recomputed: inputs out of reach); {then}"));
            return;
        }
        if (verdict.Recomputed is not null) _recomputed++;
        if (verdict.Holds)
            Fail(round.Round, merge.Cluster, merge.Leader, $"merge {merge.Model} was voided by objections, but its inputs do aggregate to it: the objecting majority voided an honest merge");
        else
            _findings.Add(new AuditFinding(FindingSeverity.Info, round.Round, merge.Cluster, merge.Leader,
                $"merge {merge.Model} was voided by its cluster's objections ({verdict.Summary}); the leader sits out the cooldown and {then}"));
    }

    /// <summary>Where a model entered the history: the round, cluster and leader a problem with its bytes is reported under.</summary>
    private sealed record Source(ulong Round, int Cluster, EthereumAddress? Leader, string What);

    private async Task<byte[]?> TryGetAsync(ContentId id, Source source, CancellationToken ct)
    {
        if (!_roundModels.TryGetValue(id, out var bytes))
            _roundModels[id] = bytes = await FetchAndCheckAsync(id, source, ct);
        return bytes;
    }

    private async Task<byte[]?> FetchAndCheckAsync(ContentId id, Source source, CancellationToken ct)
    {
        try
        {
            var bytes = await models!.GetAsync(id, ct);
            _hashesChecked++;
            if (!id.Matches(bytes))
            {
                Fail(source.Round, source.Cluster, source.Leader, $"the bytes found for {source.What} {id} do not hash to it");
                return null;
            }
            return bytes;
        }
        catch (ModelUnavailableException e)
        {
            _findings.Add(new AuditFinding(FindingSeverity.Unverified, source.Round, source.Cluster, source.Leader, $"{source.What}: {e.Message}"));
            return null;
        }
    }

    private void Fail(ulong round, int? cluster, EthereumAddress? leader, string message) =>
        _findings.Add(new AuditFinding(FindingSeverity.Failure, round, cluster, leader, message));
}
