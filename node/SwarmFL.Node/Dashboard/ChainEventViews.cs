using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;

namespace SwarmFL.Node.Dashboard;

/// <summary>Turns the contract's typed events into the timeline's rows, and the creation event into the swarm's settings.</summary>
public static class ChainEventViews
{
    public static ChainEventView? From(SwarmEvent e)
    {
        var log = e.Log;
        ChainEventView Row(string kind, ulong? round = null, uint? cluster = null, EthereumAddress? actor = null, byte[]? model = null, string? detail = null) =>
            new(log.BlockNumber, log.LogIndex, Hex.Encode(log.TransactionHash), kind, round, cluster is null ? null : (int)cluster,
                actor?.ToString(), null, model is null ? null : ModelText(model), detail);
        return e switch
        {
            SwarmCreated c => Row("created", actor: c.Creator, detail: $"min peers {c.Config.MinPeers}, cluster size {c.Config.TargetClusterSize}, {c.Config.Aggregation}"),
            AllowlistChanged a => Row("allowlist", actor: a.Account, detail: a.Allowed ? "allowed" : "disallowed"),
            MemberRegistered m => Row("registered", m.EffectiveRound, actor: m.Member, detail: m.Multiaddr),
            MemberLeft m => Row("left", m.EffectiveRound, actor: m.Member),
            LeadershipOptOutChanged o => Row("lead-opt-out", actor: o.Member, detail: o.OptedOut ? "opted out of leading" : "may lead"),
            RoundWaiting w => Row("waiting", w.Round, detail: "waiting for members"),
            RoundOpened o => Row("opened", o.Round, detail: $"{o.MemberCount} members, {o.ClusterCount} clusters"),
            ModelCommitted c => Row("commit", c.Round, c.Cluster, c.Member, c.ModelId, $"{c.Samples} samples, metric {c.Metric / 1e6:0.0000} (ppm on chain)"),
            RoundClosed c => Row("closed", c.Round, detail: $"{c.Commits} commits"),
            ClusterSkipped s => Row("skipped", s.Round, s.Cluster, detail: $"{s.Committers} committers"),
            LeaderElected l => Row("elected", l.Round, l.Cluster, l.Leader, detail: $"attempt {l.Attempt}"),
            LeaderReplaced r => Row("replaced", r.Round, r.Cluster, r.NextLeader, detail: $"{r.FailedLeader} missed the merge timeout (attempt {r.Attempt})"),
            MergePublished m => Row("merge", m.Round, m.Cluster, m.Leader, m.ModelId, $"{m.Inputs.Count} inputs merged"),
            MergeObjected o => Row("objected", o.Round, o.Cluster, o.Member, detail: $"to {o.Leader}'s merge ({o.Objections} of {o.Needed} needed to void it)"),
            MergeSupported s => Row("supported", s.Round, s.Cluster, s.Member, detail: $"{s.Leader}'s merge ({s.Supporters} supporters against {s.Objections} objections)"),
            MergeVoided v => Row("voided", v.Round, v.Cluster, v.Leader, detail: v.NextLeader == EthereumAddress.Zero ? "no candidate left: cluster skipped" : $"{v.NextLeader} redoes the merge (attempt {v.Attempt})"),
            MergeEndorsed en => Row("endorsed", en.Round, en.Cluster, en.Leader, detail: $"by all {en.Endorsers} other committers"),
            SemiGlobalStarted s => Row("semi-global-start", s.Round, detail: $"{s.Clusters} clusters"),
            SemiGlobalPublished s => Row("semi-global", s.Round, s.Cluster, s.Leader, s.ModelId, "from the round's standing merges"),
            _ => null,
        };
    }

    public static SwarmInfoView? SwarmInfo(IEnumerable<SwarmEvent> events, string? contract, string? rpcUrl)
    {
        var created = events.OfType<SwarmCreated>().FirstOrDefault();
        var round = events.OfType<RoundOpened>().Select(o => (ulong?)o.Round).Max();
        if (created is null) return contract is null ? null : new SwarmInfoView(contract, rpcUrl, null, null, null, round);
        return new SwarmInfoView(contract, rpcUrl, (int)created.Config.TargetClusterSize, (int)created.Config.MinPeers, created.Config.Aggregation.ToString(), round);
    }

    /// <summary>The chain keeps a model id as its sha-256 digest; shown as the CID the nodes and the audit print.</summary>
    private static string ModelText(byte[] digest) => digest.Length == 32 ? ContentId.FromDigest(digest).ToString() : Hex.Encode(digest);
}
