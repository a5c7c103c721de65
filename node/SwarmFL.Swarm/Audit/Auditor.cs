using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;

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
            var leader = round.Leaders.LastOrDefault(l => l.Cluster == merge.Cluster);
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
        var clusterModels = round.Merges.Select(m => m.Model).ToHashSet();
        foreach (var semi in round.SemiGlobals)
        {
            if (!semi.ClusterModels.ToHashSet().SetEquals(clusterModels))
                Fail(round.Round, semi.Cluster, semi.Leader, "semi-global model does not combine exactly this round's cluster models");
        }
        foreach (var replacement in round.Leaders.Where(l => l.Replaced is not null))
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
            var reproducible = merge.Drops.Where(d => d.Reason != RejectionReason.Unavailable).ToList();
            var candidates = merge.Inputs.Concat(reproducible.Select(d => d.Id)).ToList();
            var inputs = new List<MergeInput>();
            foreach (var id in candidates)
            {
                var commit = round.Commits.FirstOrDefault(c => c.Cluster == merge.Cluster && c.Model == id);
                var what = commit is null ? "merge input" : $"merge input committed by {commit.Member}";
                var bytes = await TryGetAsync(id, new Source(round.Round, merge.Cluster, merge.Leader, what), ct);
                if (bytes is not null && commit is not null) inputs.Add(new MergeInput(id, bytes, commit.Samples));
            }
            if (baseModel is null || inputs.Count != candidates.Count) continue;
            Compare(round.Round, merge.Cluster, merge.Leader, "merge", merge.Model, () => merger!.Merge(rules.AggregationPolicy, baseModel, inputs), reproducible);
        }
        foreach (var semi in round.SemiGlobals)
        {
            var inputs = new List<MergeInput>();
            foreach (var merge in round.Merges.Where(m => semi.ClusterModels.Contains(m.Model)))
            {
                var bytes = await TryGetAsync(merge.Model, new Source(round.Round, merge.Cluster, merge.Leader, "cluster model"), ct);
                if (bytes is not null) inputs.Add(new MergeInput(merge.Model, bytes, SemiGlobal.WeightOf(merge, round.Commits)));
            }
            var own = round.Merges.FirstOrDefault(m => m.Cluster == semi.Cluster);
            if (own is null || inputs.Count != semi.ClusterModels.Count) continue;
            var ownBytes = inputs.First(i => i.Id == own.Model).Model;
            Compare(round.Round, semi.Cluster, semi.Leader, "semi-global", semi.Model, () => merger!.Merge(SemiGlobal.Strategy, ownBytes, inputs));
        }
    }

    private void Compare(ulong round, int cluster, EthereumAddress leader, string what, ContentId published, Func<MergeResult> recompute,
        IReadOnlyList<RecordedDrop>? recordedDrops = null)
    {
        MergeResult result;
        try { result = recompute(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Fail(round, cluster, leader, $"{what} {published} cannot be reproduced: its inputs are refused by the aggregation ({e.Message})");
            return;
        }
        _recomputed++;
        var recomputed = ContentId.Of(result.Model);
        if (recomputed != published)
            Fail(round, cluster, leader, $"published {what} {published}, but its inputs aggregate to {recomputed}");
        var expected = (recordedDrops ?? []).Select(d => (d.Id, d.Reason)).ToHashSet();
        var actual = result.Dropped.Select(d => (d.Id, d.Reason)).ToHashSet();
        if (!expected.SetEquals(actual))
            Fail(round, cluster, leader, $"{what} {published} records drops [{Describe(expected)}], but its inputs give [{Describe(actual)}]");
    }

    private static string Describe(IEnumerable<(ContentId Id, RejectionReason Reason)> drops) =>
        string.Join(", ", drops.OrderBy(d => d.Id.ToString(), StringComparer.Ordinal).Select(d => $"{d.Id} {InputRejection.Describe(d.Reason)}"));

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
