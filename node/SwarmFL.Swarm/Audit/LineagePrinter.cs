using System.Text;
using SwarmFL.Swarm.Verification;

namespace SwarmFL.Swarm.Audit;

/// <summary>The human-readable lineage `swarmfl audit` prints: per round, who committed what, who led, what merged into what.</summary>
public static class LineagePrinter
{
    /// <summary><paramref name="metric"/>: the swarm's headline metric, what the commits carry (accuracy unless its data spec says otherwise).</summary>
    public static string Print(SwarmHistory history, string metric = "accuracy")
    {
        var text = new StringBuilder();
        text.AppendLine($"genesis {history.Rules.GenesisModel}  aggregation {history.Rules.AggregationPolicy}");
        foreach (var round in history.Rounds.OrderBy(r => r.Round))
        {
            text.AppendLine($"round {round.Round}: {round.Commits.Count} commits");
            var combined = string.Join(", ", MergeRecomputation.CombinedMerges(round.Merges).Select(m => m.Model));
            foreach (var cluster in round.Commits.Select(c => c.Cluster).Union(round.Merges.Select(m => m.Cluster)).Distinct().Order())
            {
                text.AppendLine($"  cluster {cluster}");
                foreach (var commit in round.Commits.Where(c => c.Cluster == cluster))
                    text.AppendLine($"    commit  {commit.Member} {commit.Model} samples={commit.Samples} base-{metric}={(metric == "accuracy" ? $"{commit.MetricPpm / 1e4:F2}%" : $"{commit.MetricPpm / 1e6:F4}")}");
                foreach (var leader in round.Leaders.Where(l => l.Cluster == cluster))
                    text.AppendLine(leader.Replaced is null
                        ? $"    leader  {leader.Leader} (attempt {leader.Attempt})"
                        : $"    leader  {leader.Leader} (attempt {leader.Attempt}, replaced {leader.Replaced})");
                foreach (var merge in round.Merges.Where(m => m.Cluster == cluster))
                    text.AppendLine($"    merge   {merge.Model} <- {string.Join(", ", merge.Inputs)}");
                foreach (var semi in round.SemiGlobals.Where(s => s.Cluster == cluster))
                    text.AppendLine($"    semi-global {semi.Model} <- {combined}");
            }
        }
        return text.ToString();
    }
}
