using System.Globalization;
using System.Text;

namespace SwarmFL.Node.Devnet;

/// <summary>The outcome of one audit run: its exit code and what it printed.</summary>
public sealed record AuditOutcome(int? ExitCode, string Output, string? Problem)
{
    public bool Passed => ExitCode == 0;
}

/// <summary>How a node process ended.</summary>
public sealed record NodeOutcome(string Node, string? PeerId, int? ExitCode, long LastRound, string? Error);

/// <summary>Whether the final merged model beats every local-only model, and by how much.</summary>
public sealed record BaselineVerdict(bool Beats, double? FinalMergedWorst, double? BestBaseline)
{
    public static BaselineVerdict Judge(RunResults results, IReadOnlyList<BaselineResult> baselines)
    {
        var final = results.Final;
        var mergedAccuracies = final?.Clusters.Select(c => c.SemiGlobalTestAccuracy).Where(a => a is not null).Select(a => a!.Value).ToList() ?? [];
        double? worst = mergedAccuracies.Count == 0 ? null : mergedAccuracies.Min();
        double? best = baselines.Count == 0 ? null : baselines.Max(b => b.Accuracy);
        return new BaselineVerdict(worst is not null && best is not null && worst > best, worst, best);
    }
}

/// <summary>summary.md: what ran, how every round went, whether the swarm was worth it, and the audit's verdict.</summary>
public static class RunSummary
{
    public static string Render(DevnetOptions options, string? contract, string? nodeExecutable, RunResults results,
        IReadOnlyList<NodeOutcome> nodes, IReadOnlyList<BaselineResult> baselines, AuditOutcome? audit, TimeSpan elapsed, string? stoppedBecause, ScoreLabel? label = null)
    {
        label ??= ScoreLabel.Mnist;
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine("# SwarmFL devnet run").AppendLine();
        if (nodeExecutable is not null)
            s.AppendLine($"> **Not a real swarm run:** the nodes were `{nodeExecutable}`, not `swarmfl node`.").AppendLine();
        s.AppendLine($"- nodes: {options.Nodes}, rounds: {options.Rounds}, model: {options.Model}, partition: {options.Partition}, " +
                     $"strategy: {options.Strategy}, cluster size: {options.ClusterSize}");
        s.AppendLine(string.Create(inv, $"- local training: {options.Epochs} epoch(s) per round, batch {options.Batch}, lr {options.LearningRate}, seed {options.Seed}"));
        if (options.UserData is { } data)
            s.AppendLine($"- data: {data.Path}{(data.TestPath is { } t ? $", test set {t}" : "")}; task {data.Task}, headline metric {label.Metric}, scored on {label.TestSet}");
        s.AppendLine($"- contract: {contract ?? "(not deployed)"}");
        s.AppendLine(string.Create(inv, $"- wall time: {elapsed.TotalSeconds:F1} s{(stoppedBecause is null ? "" : $"; stopped because {stoppedBecause}")}"));
        s.AppendLine();

        s.AppendLine("## Nodes").AppendLine().AppendLine("| node | peer id | exit code | last round | error |").AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var n in nodes)
            s.AppendLine($"| {n.Node} | {n.PeerId ?? "-"} | {n.ExitCode?.ToString(inv) ?? "still running (killed)"} | {n.LastRound} | {n.Error ?? ""} |");
        s.AppendLine();

        s.AppendLine("## Rounds").AppendLine();
        if (results.Rounds.Count == 0) s.AppendLine("No node finished a round.").AppendLine();
        else
        {
            var names = results.Rounds.SelectMany(r => r.Nodes.Select(n => n.Node)).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
            var preferred = new[] { "round", "startup", "train", "evaluate", "transfer", "chain", "aggregate" };
            var kinds = results.Rounds.SelectMany(r => r.MeanSeconds.Keys).Distinct()
                .OrderBy(k => Array.IndexOf(preferred, k) is var i && i >= 0 ? i : preferred.Length).ThenBy(k => k, StringComparer.Ordinal).ToList();
            s.AppendLine($"| round | merged {label.Short} | swarm validation | leaders | {string.Join(" | ", names.Select(n => $"{n} local {label.Short}"))} | {string.Join(" | ", kinds.Select(k => $"{k} s"))} | bytes in (all protocols, all nodes) |");
            s.AppendLine($"| --- | --- | --- | --- | {string.Join(" | ", names.Select(_ => "---"))} | {string.Join(" | ", kinds.Select(_ => "---"))} | --- |");
            foreach (var r in results.Rounds)
            {
                var leaders = string.Join(", ", r.Clusters.Select(c => $"c{c.Cluster}: {c.Leader ?? "?"}"));
                var locals = names.Select(n => StatusBoard.Accuracy(r.Nodes.FirstOrDefault(x => x.Node == n)?.LocalTestAccuracy));
                string Sec(string k) => r.MeanSeconds.TryGetValue(k, out var v) ? v.ToString("F1", inv) : "-";
                var bytes = r.Traffic.Values.Sum(t => t.BytesIn);
                var validation = r.SwarmValidation is { } v ? $"{StatusBoard.Accuracy(v.Accuracy)} ({v.Reports} {v.Source})" : "-";
                s.AppendLine($"| {r.Round} | {StatusBoard.Accuracy(r.MergedTestAccuracy)} | {validation} | {leaders} | {string.Join(" | ", locals)} | " +
                             $"{string.Join(" | ", kinds.Select(Sec))} | {bytes.ToString("N0", inv)} |");
            }
            s.AppendLine().AppendLine($"Merged {label.Short}: the merged (semi-global) model on {label.TestSet}, scored by the launcher after the run. " +
                                      "Swarm validation: the sample-weighted mean of the members' held-out validation reports on that model — " +
                                      "\"chain\" from the metrics committed in the next round, \"reports\" from the nodes' own reports (last round).");
            s.AppendLine().AppendLine("Times are means over the nodes (seconds, by the kinds of work the nodes report). A node's round runs from the moment " +
                                      "it sees the round open to the moment it sees the next one open; its first round starts at process start " +
                                      "(startup: until it saw the round open). Per-node details, model ids and per-protocol traffic are in rounds.json.");
            s.AppendLine();
        }
        foreach (var warning in results.Warnings) s.AppendLine($"- warning: {warning}");
        if (results.Warnings.Count > 0) s.AppendLine();

        s.AppendLine("## Local-only baselines").AppendLine();
        if (baselines.Count == 0) s.AppendLine("Not computed.").AppendLine();
        else
        {
            s.AppendLine($"Each node's training samples (its partition minus the 10 % it holds out, as the node does) trained alone from the genesis model for rounds × epochs epochs, scored on {label.TestSet}:").AppendLine();
            s.AppendLine($"| part | samples | epochs | test {label.Short} |").AppendLine("| --- | --- | --- | --- |");
            foreach (var b in baselines) s.AppendLine(string.Create(inv, $"| {b.Part} | {b.Samples} | {b.Epochs} | {b.Accuracy:F4} |"));
            var verdict = BaselineVerdict.Judge(results, baselines);
            s.AppendLine().AppendLine(verdict.Beats
                ? string.Create(inv, $"**The final merged model beats every local-only model**: {verdict.FinalMergedWorst:F4} (worst cluster) > {verdict.BestBaseline:F4} (best baseline).")
                : $"**The final merged model does NOT beat every local-only model**: merged {StatusBoard.Accuracy(verdict.FinalMergedWorst)} vs best baseline {StatusBoard.Accuracy(verdict.BestBaseline)}.");
            s.AppendLine();
        }

        s.AppendLine("## Audit").AppendLine();
        if (audit is null) s.AppendLine("Not run.");
        else
        {
            s.AppendLine($"`swarmfl audit --verify` exit code: {audit.ExitCode?.ToString(inv) ?? "none"} — {(audit.Passed ? "**passed**" : "**FAILED**")}{(audit.Problem is null ? "" : $" ({audit.Problem})")}");
            s.AppendLine().AppendLine("```").AppendLine(audit.Output.TrimEnd()).AppendLine("```");
        }
        return s.ToString();
    }
}
