using System.Text.Json;
using System.Text.Json.Serialization;
using SwarmFL.Swarm.Hosting;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Node.Devnet;

/// <summary>One node's view of one round, as the run results list it.</summary>
public sealed record NodeRoundResult
{
    public required string Node { get; init; }
    public string? PeerId { get; init; }
    public long? Cluster { get; init; }
    public string? Role { get; init; }
    public long? Samples { get; init; }
    public double? BaseTestAccuracy { get; init; }
    public double? LocalTestAccuracy { get; init; }
    public double? SemiGlobalTestAccuracy { get; init; }
    public double? BaseHeldOutAccuracy { get; init; }
    public double? LocalHeldOutAccuracy { get; init; }
    /// <summary>The node's validation report on the round's semi-global model (its held-out split).</summary>
    public double? SemiGlobalHeldOutAccuracy { get; init; }
    /// <summary>The swarm's validation of the round's base model(s), from the round's commits on chain.</summary>
    public SwarmValidationFigures? BaseSwarmValidation { get; init; }
    public string? BaseModel { get; init; }
    public string? LocalModel { get; init; }
    public string? MergedModel { get; init; }
    public string? SemiGlobalModel { get; init; }
    public IReadOnlyDictionary<string, double>? Seconds { get; init; }
    public IReadOnlyDictionary<string, TrafficFigures>? Traffic { get; init; }
}

/// <summary>A cluster's merged (semi-global) model in one round and its accuracy on the test set.</summary>
public sealed record ClusterResult(long Cluster, string? Leader, string? MergedModel, string? SemiGlobalModel, double? SemiGlobalTestAccuracy);

/// <summary>One round across all nodes.</summary>
public sealed record RoundResult
{
    public required long Round { get; init; }
    public required IReadOnlyList<NodeRoundResult> Nodes { get; init; }
    public required IReadOnlyList<ClusterResult> Clusters { get; init; }
    /// <summary>Sample-weighted mean of the nodes' semi-global test accuracies (each node reports its cluster's model).</summary>
    public double? MergedTestAccuracy { get; init; }
    /// <summary>
    /// The swarm's accuracy for the round: the sample-weighted mean of the members' validation reports on the round's
    /// merged (semi-global) model(s). Source "chain": the metrics committed in the next round, as the chain records them;
    /// "reports": the nodes' own reports (the last round has no next commits; nodes gossip the same reports).
    /// </summary>
    public SwarmValidationFigures? SwarmValidation { get; init; }
    /// <summary>The slowest node's round time: the round is done when the last node is.</summary>
    public double? Seconds { get; init; }
    public required IReadOnlyDictionary<string, double> MeanSeconds { get; init; }
    /// <summary>Traffic summed over all nodes, per protocol.</summary>
    public required IReadOnlyDictionary<string, TrafficFigures> Traffic { get; init; }
}

/// <summary>The merged results of a run, written as rounds.json.</summary>
public sealed record RunResults
{
    public required IReadOnlyList<RoundResult> Rounds { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];

    private static readonly JsonSerializerOptions WriteOptions = new(StatusFiles.Json)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public RoundResult? Final => Rounds.Count == 0 ? null : Rounds[^1];

    /// <summary>Merges the nodes' rounds.jsonl records (node name → records) into per-round results, rounds ascending.</summary>
    public static RunResults Merge(IReadOnlyList<(string Node, string? PeerId, IReadOnlyList<RoundResultFile> Records)> nodes)
    {
        var warnings = new List<string>();
        var byRound = new SortedDictionary<ulong, List<NodeRoundResult>>();
        foreach (var (node, peerId, records) in nodes)
        {
            foreach (var duplicate in records.GroupBy(r => r.Round).Where(g => g.Count() > 1))
                warnings.Add($"{node} wrote round {duplicate.Key} {duplicate.Count()} times; the last line counts");
            foreach (var record in records.GroupBy(r => r.Round).Select(g => g.Last()))
            {
                if (!byRound.TryGetValue(record.Round, out var list)) byRound[record.Round] = list = [];
                list.Add(new NodeRoundResult
                {
                    Node = node, PeerId = peerId, Cluster = record.Cluster, Role = record.Role, Samples = (long)record.Samples,
                    BaseTestAccuracy = record.BaseTestAccuracy, LocalTestAccuracy = record.LocalTestAccuracy,
                    SemiGlobalTestAccuracy = record.SemiGlobalTestAccuracy, BaseModel = record.BaseModel, LocalModel = record.LocalModel,
                    MergedModel = record.MergedModel, SemiGlobalModel = record.SemiGlobalModel, Seconds = record.Seconds, Traffic = record.Traffic,
                    BaseHeldOutAccuracy = record.BaseHeldOutAccuracy, LocalHeldOutAccuracy = record.LocalHeldOutAccuracy,
                    SemiGlobalHeldOutAccuracy = record.SemiGlobalHeldOutAccuracy, BaseSwarmValidation = record.BaseSwarmValidation,
                });
            }
        }
        var rounds = byRound.Select(pair => Summarize(pair.Key, pair.Value.OrderBy(n => n.Node, StringComparer.Ordinal).ToList(), warnings)).ToList();
        rounds = rounds.Select(r => r with { SwarmValidation = SwarmValidationOf(r, rounds.FirstOrDefault(n => n.Round == r.Round + 1)) }).ToList();
        return new RunResults { Rounds = rounds, Warnings = warnings };
    }

    /// <summary>The next round's commits on chain when there are any; else the nodes' own reports, weighted the same way.</summary>
    public static SwarmValidationFigures? SwarmValidationOf(RoundResult round, RoundResult? next)
    {
        var fromChain = next?.Nodes.Select(n => n.BaseSwarmValidation).Where(v => v is not null).MaxBy(v => v!.Reports);
        if (fromChain is not null) return fromChain with { Source = "chain" };
        var reports = SwarmFL.Swarm.Rounds.SwarmValidation.Of(round.Nodes.Where(n => n.SemiGlobalHeldOutAccuracy is not null)
            .Select(n => new ValidationReport(n.SemiGlobalHeldOutAccuracy!.Value, (ulong)Math.Max(0, n.Samples ?? 0))));
        return reports is null ? null : new SwarmValidationFigures(reports.Accuracy, reports.Reports, reports.Samples, "reports");
    }

    private static RoundResult Summarize(ulong round, IReadOnlyList<NodeRoundResult> nodes, List<string> warnings)
    {
        var clusters = nodes.Where(n => n.Cluster is not null).GroupBy(n => n.Cluster!.Value).OrderBy(g => g.Key).Select(g =>
        {
            var leaders = g.Where(n => string.Equals(n.Role, "Leader", StringComparison.OrdinalIgnoreCase)).Select(n => n.Node).ToList();
            var semiGlobal = g.Select(n => n.SemiGlobalModel).Where(m => m is not null).Distinct().ToList();
            if (semiGlobal.Count > 1)
                warnings.Add($"round {round}, cluster {g.Key}: nodes disagree on the semi-global model ({string.Join(", ", semiGlobal)})");
            var accuracy = g.Where(n => n.SemiGlobalTestAccuracy is not null).Select(n => n.SemiGlobalTestAccuracy!.Value).DefaultIfEmpty(double.NaN).First();
            return new ClusterResult(g.Key, leaders.Count == 0 ? null : string.Join(",", leaders), g.Select(n => n.MergedModel).FirstOrDefault(m => m is not null),
                semiGlobal.FirstOrDefault(), double.IsNaN(accuracy) ? null : accuracy);
        }).ToList();

        var weighted = nodes.Where(n => n.SemiGlobalTestAccuracy is not null).ToList();
        double? merged = null;
        if (weighted.Count > 0)
        {
            var weights = weighted.Select(n => (double)Math.Max(1, n.Samples ?? 1)).ToList();
            merged = weighted.Select((n, i) => n.SemiGlobalTestAccuracy!.Value * weights[i]).Sum() / weights.Sum();
        }

        var meanSeconds = nodes.Where(n => n.Seconds is not null).SelectMany(n => n.Seconds!)
            .GroupBy(pair => pair.Key).ToDictionary(g => g.Key, g => g.Average(pair => pair.Value));
        var traffic = new SortedDictionary<string, TrafficFigures>(StringComparer.Ordinal);
        foreach (var (protocol, count) in nodes.Where(n => n.Traffic is not null).SelectMany(n => n.Traffic!))
            traffic[protocol] = traffic.TryGetValue(protocol, out var sum)
                ? new TrafficFigures(sum.BytesIn + count.BytesIn, sum.BytesOut + count.BytesOut, sum.MessagesIn + count.MessagesIn, sum.MessagesOut + count.MessagesOut)
                : count;

        return new RoundResult
        {
            Round = (long)round, Nodes = nodes, Clusters = clusters, MergedTestAccuracy = merged,
            Seconds = nodes.Select(n => n.Seconds?.GetValueOrDefault("round")).Where(s => s is > 0).Max(),
            MeanSeconds = meanSeconds, Traffic = traffic,
        };
    }

    public void Write(string path) => File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, WriteOptions));
}
