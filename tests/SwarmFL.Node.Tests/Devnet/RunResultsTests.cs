using System.Text.Json;
using SwarmFL.Node.Devnet;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.Devnet;

public sealed class RunResultsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-devnet-results").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(long round, long cluster, string role, double local, double semi, long samples, long gossipIn, string semiModel = "bafkreisemi") =>
        JsonSerializer.Serialize(new
        {
            round, cluster, role, baseModel = "bafkreibase", baseTestAccuracy = 0.5, localModel = "bafkreilocal", localTestAccuracy = local, samples,
            mergedModel = $"bafkreimerged{cluster}", semiGlobalModel = semiModel, semiGlobalTestAccuracy = semi,
            seconds = new { round = 10.0 + samples / 1000.0, train = 4.0, evaluate = 0.25, transfer = 1.0, chain = 2.0, aggregate = 0.5 },
            traffic = new Dictionary<string, object> { ["gossip"] = new { bytesIn = gossipIn, bytesOut = 5, messagesIn = 1, messagesOut = 2 } },
        });

    private IReadOnlyList<RoundResultFile> Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, $"{name}.jsonl");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        var (records, _) = StatusFiles.ReadWellFormedRounds(path);
        return records;
    }

    [Fact]
    public void Merges_rounds_jsonl_of_several_nodes_into_per_round_results()
    {
        var a = Write("a", Line(1, 0, "Leader", 0.80, 0.85, 1000, 100), Line(2, 0, "Member", 0.88, 0.90, 1000, 200));
        var b = Write("b", Line(1, 0, "Member", 0.82, 0.85, 3000, 50), Line(2, 0, "Leader", 0.86, 0.90, 3000, 70));
        var c = Write("c", Line(1, 1, "Leader", 0.70, 0.75, 1000, 1));

        var results = RunResults.Merge([("node-0", "peerA", a), ("node-1", "peerB", b), ("node-2", "peerC", c)]);

        Assert.Equal([1L, 2L], results.Rounds.Select(r => r.Round));
        var first = results.Rounds[0];
        Assert.Equal(["node-0", "node-1", "node-2"], first.Nodes.Select(n => n.Node));
        Assert.Equal(0.82, first.Nodes.Single(n => n.Node == "node-1").LocalTestAccuracy);
        Assert.Equal("node-0", first.Clusters.Single(x => x.Cluster == 0).Leader);
        Assert.Equal("node-2", first.Clusters.Single(x => x.Cluster == 1).Leader);
        Assert.Equal(0.75, first.Clusters.Single(x => x.Cluster == 1).SemiGlobalTestAccuracy);
        // Sample-weighted: (0.85·1000 + 0.85·3000 + 0.75·1000) / 5000.
        Assert.Equal((0.85 * 1000 + 0.85 * 3000 + 0.75 * 1000) / 5000, first.MergedTestAccuracy!.Value, 12);
        Assert.Equal(151, first.Traffic["gossip"].BytesIn);
        Assert.Equal(15, first.Traffic["gossip"].BytesOut);
        Assert.Equal(13.0, first.Seconds); // the slowest node: 10 + 3000/1000
        Assert.Equal(4.0, first.MeanSeconds["train"]);
        Assert.Equal(0.25, first.MeanSeconds["evaluate"]); // kinds of work the launcher does not know are kept
        Assert.Equal("node-1", results.Rounds[1].Clusters.Single().Leader);
        Assert.Equal(2, results.Final!.Round);
        Assert.Empty(results.Warnings);
    }

    [Fact]
    public void A_torn_or_malformed_line_is_skipped_and_a_duplicate_round_warned_about()
    {
        var path = Path.Combine(_dir, "torn.jsonl");
        File.WriteAllText(path, Line(1, 0, "Member", 0.8, 0.9, 10, 1) + "\nnot json\n" + Line(1, 0, "Leader", 0.81, 0.9, 10, 1) + "\n{\"round\": 2, \"clus");
        var (records, skipped) = StatusFiles.ReadWellFormedRounds(path);
        Assert.Equal(2, skipped);
        Assert.Equal(2, records.Count);

        var results = RunResults.Merge([("node-0", null, records)]);
        var only = Assert.Single(results.Rounds);
        Assert.Equal("Leader", Assert.Single(only.Nodes).Role); // the last line for a round counts
        Assert.Contains(results.Warnings, w => w.Contains("round 1") && w.Contains("2 times"));
    }

    [Fact]
    public void Nodes_that_disagree_on_a_clusters_semi_global_model_are_reported()
    {
        var a = Write("a", Line(1, 0, "Leader", 0.8, 0.9, 10, 1, semiModel: "bafkreiX"));
        var b = Write("b", Line(1, 0, "Member", 0.8, 0.9, 10, 1, semiModel: "bafkreiY"));
        var results = RunResults.Merge([("node-0", null, a), ("node-1", null, b)]);
        Assert.Contains(results.Warnings, w => w.Contains("disagree") && w.Contains("bafkreiX") && w.Contains("bafkreiY"));
    }

    [Fact]
    public void Rounds_json_round_trips_and_the_verdict_compares_the_worst_cluster_with_the_best_baseline()
    {
        var a = Write("a", Line(1, 0, "Leader", 0.80, 0.91, 10, 1));
        var b = Write("b", Line(1, 1, "Leader", 0.80, 0.93, 10, 1));
        var results = RunResults.Merge([("node-0", null, a), ("node-1", null, b)]);
        var path = Path.Combine(_dir, "rounds.json");
        results.Write(path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(1, doc.RootElement.GetProperty("rounds")[0].GetProperty("round").GetInt64());
        Assert.Equal(2, doc.RootElement.GetProperty("rounds")[0].GetProperty("nodes").GetArrayLength());

        Assert.True(BaselineVerdict.Judge(results, [new BaselineResult(0, 10, 1, 0.90, 1), new BaselineResult(1, 10, 1, 0.85, 1)]).Beats);
        var lost = BaselineVerdict.Judge(results, [new BaselineResult(0, 10, 1, 0.92, 1)]);
        Assert.False(lost.Beats);
        Assert.Equal(0.91, lost.FinalMergedWorst);
        Assert.False(BaselineVerdict.Judge(results, []).Beats);
    }

    [Fact]
    public void The_target_is_reached_only_when_every_node_reports_a_merged_accuracy_at_or_above_it()
    {
        var a = Write("a", Line(1, 0, "Leader", 0.8, 0.90, 10, 1), Line(2, 0, "Leader", 0.8, 0.95, 10, 1));
        var b = Write("b", Line(1, 0, "Member", 0.8, 0.94, 10, 1));
        Assert.Null(DevnetRun.TargetReached([a, b], 0.95));
        var b2 = Write("b2", Line(1, 0, "Member", 0.8, 0.94, 10, 1), Line(2, 0, "Member", 0.8, 0.96, 10, 1));
        Assert.Equal(2, DevnetRun.TargetReached([a, b2], 0.95));
        Assert.Equal(1, DevnetRun.TargetReached([a, b2], 0.90));
    }
}
