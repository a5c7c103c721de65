using ScottPlot;

namespace SwarmFL.Node.Devnet;

/// <summary>accuracy.png: test accuracy per round, one line per node's local model, one per cluster's merged model, baselines
/// dashed; and the swarm's own validation accuracy (held-out reports, not the test set) dotted.</summary>
public static class AccuracyPlot
{
    public static void Write(RunResults results, IReadOnlyList<BaselineResult> baselines, string path, int width = 1000, int height = 620, ScoreLabel? label = null)
    {
        label ??= ScoreLabel.Mnist;
        var plot = new Plot();
        var nodes = results.Rounds.SelectMany(r => r.Nodes.Select(n => n.Node)).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var node in nodes)
        {
            var points = results.Rounds
                .Select(r => (r.Round, r.Nodes.FirstOrDefault(n => n.Node == node)?.LocalTestAccuracy))
                .Where(p => p.LocalTestAccuracy is not null).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => (double)p.Round).ToArray(), points.Select(p => p.LocalTestAccuracy!.Value).ToArray());
            line.LegendText = $"{node} local model";
            line.LineWidth = 1.5f;
            line.MarkerSize = 5;
        }

        var clusters = results.Rounds.SelectMany(r => r.Clusters.Select(c => c.Cluster)).Distinct().OrderBy(c => c).ToList();
        foreach (var cluster in clusters)
        {
            var points = results.Rounds
                .Select(r => (r.Round, r.Clusters.FirstOrDefault(c => c.Cluster == cluster)?.SemiGlobalTestAccuracy))
                .Where(p => p.SemiGlobalTestAccuracy is not null).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => (double)p.Round).ToArray(), points.Select(p => p.SemiGlobalTestAccuracy!.Value).ToArray());
            line.LegendText = clusters.Count == 1 ? "merged model" : $"merged model, cluster {cluster}";
            line.LineWidth = 3.5f;
            line.MarkerSize = 9;
            line.Color = clusters.Count == 1 ? Colors.Black : line.Color;
        }

        var validated = results.Rounds.Where(r => r.SwarmValidation is not null).ToList();
        if (validated.Count > 0)
        {
            var line = plot.Add.Scatter(validated.Select(r => (double)r.Round).ToArray(), validated.Select(r => r.SwarmValidation!.Accuracy).ToArray());
            line.LegendText = "swarm validation (members' held-out reports, sample-weighted)";
            line.LinePattern = LinePattern.Dotted;
            line.LineWidth = 2.5f;
            line.MarkerSize = 6;
            line.Color = Colors.DarkOrange;
        }

        var lastRound = results.Rounds.Count == 0 ? 1 : results.Rounds[^1].Round;
        foreach (var baseline in baselines)
        {
            var line = plot.Add.HorizontalLine(baseline.Accuracy);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1;
            line.Color = Colors.Gray;
            line.LegendText = baseline.Part == baselines[0].Part ? "local-only baselines (each part alone)" : "";
        }

        plot.Title($"SwarmFL devnet: test {label.Metric} per round");
        plot.XLabel("round");
        plot.YLabel(label == ScoreLabel.Mnist ? "accuracy (MNIST test set; dotted: held-out validation)" : $"{label.Metric} ({label.TestSet}; dotted: held-out validation)");
        plot.Axes.SetLimitsX(0.5, Math.Max(1, lastRound) + 0.5);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }
}
