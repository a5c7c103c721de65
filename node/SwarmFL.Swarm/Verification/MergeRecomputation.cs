using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Verification;

/// <summary>
/// How anyone — the audit afterwards, a member before it adopts a model — recomputes a published merge or semi-global
/// model and compares it with what was published. One owner for the rule, so a member objects to exactly what the audit
/// would fail.
/// </summary>
public static class MergeRecomputation
{
    /// <summary>
    /// The drops a checker reproduces: every recorded drop except Unavailable, which it takes at the leader's word — no one
    /// else can tell what the leader could reach (docs/contracts-interface.md, "Dropped inputs").
    /// </summary>
    public static IReadOnlyList<RecordedDrop> ReproducibleDrops(PublishedMerge merge) =>
        merge.Drops.Where(d => d.Reason != RejectionReason.Unavailable).ToList();

    /// <summary>The committed models a merge is recomputed from: what it merged plus what it dropped reproducibly.</summary>
    public static IReadOnlyList<ContentId> Candidates(PublishedMerge merge) =>
        merge.Inputs.Concat(ReproducibleDrops(merge).Select(d => d.Id)).ToList();

    /// <summary>The cluster models every semi-global of a round combines: the round's standing merges (not voided). The
    /// contract fixes them before it accepts the first semi-global, so no leader lists them.</summary>
    public static IReadOnlyList<PublishedMerge> CombinedMerges(IEnumerable<PublishedMerge> merges) =>
        merges.Where(m => !m.Voided).ToList();

    /// <param name="inputs">The <see cref="Candidates"/> with their bytes and committed samples.</param>
    public static MergeVerdict CheckMerge(IMergeEngine merger, string policy, byte[] baseModel, PublishedMerge merge, IReadOnlyList<MergeInput> inputs) =>
        Compare("merge", merge.Model, () => merger.Merge(policy, baseModel, inputs), ReproducibleDrops(merge));

    /// <param name="ownClusterModel">The bytes of the semi-global cluster's own merge (the combination's reference).</param>
    /// <param name="clusterModels">The <see cref="CombinedMerges"/> with their bytes, weighted by <see cref="SemiGlobal.WeightOf"/>.</param>
    public static MergeVerdict CheckSemiGlobal(IMergeEngine merger, PublishedSemiGlobal semi, byte[] ownClusterModel, IReadOnlyList<MergeInput> clusterModels) =>
        Compare("semi-global", semi.Model, () => merger.Merge(SemiGlobal.Strategy, ownClusterModel, clusterModels), []);

    private static MergeVerdict Compare(string what, ContentId published, Func<MergeResult> recompute, IReadOnlyList<RecordedDrop> recordedDrops)
    {
        MergeResult result;
        try { result = recompute(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return new MergeVerdict(false, null, [$"{what} {published} cannot be reproduced: its inputs are refused by the aggregation ({e.Message})"]);
        }
        var recomputed = ContentId.Of(result.Model);
        var problems = new List<string>();
        if (recomputed != published)
            problems.Add($"published {what} {published}, but its inputs aggregate to {recomputed}");
        var expected = recordedDrops.Select(d => (d.Id, d.Reason)).ToHashSet();
        var actual = result.Dropped.Select(d => (d.Id, d.Reason)).ToHashSet();
        if (!expected.SetEquals(actual))
            problems.Add($"{what} {published} records drops [{Describe(expected)}], but its inputs give [{Describe(actual)}]");
        return new MergeVerdict(problems.Count == 0, recomputed, problems);
    }

    private static string Describe(IEnumerable<(ContentId Id, RejectionReason Reason)> drops) =>
        string.Join(", ", drops.OrderBy(d => d.Id.ToString(), StringComparer.Ordinal).Select(d => $"{d.Id} {InputRejection.Describe(d.Reason)}"));
}

/// <summary>
/// The outcome of a recomputation: <see cref="Holds"/> when the published model and drops are what the inputs give.
/// <see cref="Recomputed"/> is null when the aggregation refused the inputs (nothing could be recomputed).
/// </summary>
public sealed record MergeVerdict(bool Holds, ContentId? Recomputed, IReadOnlyList<string> Problems)
{
    public string Summary => string.Join("; ", Problems);
}
