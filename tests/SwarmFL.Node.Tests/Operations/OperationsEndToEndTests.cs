using SwarmFL.Swarm.Hosting;
using Xunit.Abstractions;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>Issue #18 on one real operated swarm (<see cref="OperatedSwarm"/>): metrics, health checks, the release.</summary>
public sealed class OperationsEndToEndTests(OperatedSwarm run, ITestOutputHelper output) : IClassFixture<OperatedSwarm>
{
    [Fact]
    public void The_round_counter_rises_as_rounds_end()
    {
        var series = run.RoundCounterSeries;
        Assert.True(series.Count >= 2, $"only {series.Count} scrapes");
        for (var i = 1; i < series.Count; i++) Assert.True(series[i] >= series[i - 1], $"the counter went back: {string.Join(", ", series)}");
        Assert.True(series[^1] >= OperatedSwarm.RoundsToWatch && series[^1] > series[0], string.Join(", ", series));
        // The round gauge moved with it.
        var first = run.Scrapes[0]["swarmfl_round"].Samples.Single().Value;
        var last = run.Scrapes[^1]["swarmfl_round"].Samples.Single().Value;
        Assert.True(last >= first + OperatedSwarm.RoundsToWatch - 1, $"swarmfl_round went from {first} to {last}");
    }

    [Fact]
    public void The_seconds_histograms_fill_in_as_rounds_finish()
    {
        var (scrape, rounds) = run.Consistent!.Value;
        var activity = scrape["swarmfl_activity_seconds"];
        foreach (var name in new[] { "train", "evaluate", "transfer", "chain", "aggregate" })
        {
            var count = activity.Samples.Single(s => s.Name == "swarmfl_activity_seconds_count" && s.Label("activity") == name).Value;
            Assert.Equal(rounds.Count, count);
            var sum = activity.Samples.Single(s => s.Name == "swarmfl_activity_seconds_sum" && s.Label("activity") == name).Value;
            var expected = rounds.Sum(r => r.Seconds.GetValueOrDefault(name));
            Assert.True(Math.Abs(sum - expected) < 1e-3 + expected * 1e-6, $"{name}: histogram sum {sum} s, rounds.jsonl {expected} s");
        }
        var train = activity.Samples.Single(s => s.Name == "swarmfl_activity_seconds_sum" && s.Label("activity") == "train").Value;
        Assert.True(train > 0, "no training time was observed");
        Assert.Equal(rounds.Count, scrape["swarmfl_round_duration_seconds"].Samples.Single(s => s.Name.EndsWith("_count")).Value);
        // The first scrape came before any round had ended: empty histograms then.
        Assert.Equal(0, run.Scrapes[0]["swarmfl_round_duration_seconds"].Samples.Single(s => s.Name.EndsWith("_count")).Value);
        Assert.True(scrape["swarmfl_training_samples_total"].Samples.Single().Value > 0);
        Assert.True(scrape["swarmfl_training_samples_per_second"].Samples.Single().Value > 0);
    }

    [Fact]
    public void Bytes_per_protocol_lie_between_rounds_jsonl_before_and_after_the_scrape()
    {
        var (scrape, rounds) = run.Consistent!.Value;
        var scraped = new Dictionary<(string Family, string Direction), double>();
        foreach (var sample in scrape["swarmfl_p2p_bytes_total"].Samples)
        {
            var key = (TrafficLedger.FamilyOf(sample.Label("protocol")), sample.Label("direction"));
            scraped[key] = scraped.GetValueOrDefault(key) + sample.Value;
        }
        foreach (var sample in scrape["swarmfl_chain_rpc_bytes_total"].Samples)
            scraped[("chain-rpc", sample.Label("direction"))] = sample.Value;
        var families = rounds.SelectMany(r => r.Traffic.Keys).Distinct().ToList();
        Assert.Contains("gossip", families);
        Assert.Contains("chain-rpc", families);
        foreach (var family in families)
        foreach (var direction in new[] { "in", "out" })
        {
            long Of(RoundResultFile r) => r.Traffic.TryGetValue(family, out var t) ? direction == "in" ? t.BytesIn : t.BytesOut : 0;
            var metric = scraped.GetValueOrDefault((family, direction));
            // The counters only grow, and each round's line holds what they moved by since the previous one: the scrape
            // holds at least what the rounds closed before it wrote, and at most what the lines cut after it add up to
            // (the running round's traffic, however large, is in the next lines and nowhere else).
            var before = rounds.Sum(Of);
            var after = run.RoundsAfterScrape.Sum(Of);
            Assert.True(metric >= before && metric <= after,
                $"{family} {direction}: scraped {metric} B; rounds.jsonl {before} B over the {rounds.Count} rounds before the scrape, {after} B over the {run.RoundsAfterScrape.Count} rounds by two later");
        }
    }

    [Fact]
    public void The_scrape_names_every_metric_the_issue_asks_for()
    {
        var families = run.Scrapes[^1];
        string[] required =
        [
            "swarmfl_round", "swarmfl_phase", "swarmfl_role", "swarmfl_activity_seconds", "swarmfl_training_samples_per_second", "swarmfl_p2p_bytes_total",
            "swarmfl_p2p_messages_total", "swarmfl_chain_rpc_requests_total", "swarmfl_chain_rpc_errors_total", "swarmfl_transactions_sent_total",
            "swarmfl_transactions_reverted_total", "swarmfl_transactions_resent_total", "swarmfl_transactions_gas_used_total", "swarmfl_peers_connected",
            "swarmfl_ring_known_nodes", "swarmfl_ring_successors", "swarmfl_models_stored", "swarmfl_models_stored_bytes", "swarmfl_models_fetched_total",
            "swarmfl_models_served_total", "swarmfl_merge_inputs_dropped_total", "swarmfl_refused_total", "swarmfl_committed_metric",
        ];
        Assert.Empty(required.Where(r => !families.ContainsKey(r)));
        Assert.Equal(1, families["swarmfl_phase"].Samples.Sum(s => s.Value));
        Assert.Equal(1, families["swarmfl_role"].Samples.Sum(s => s.Value));
        Assert.True(families["swarmfl_chain_rpc_requests_total"].Samples.Single(s => s.Label("method") == "eth_blockNumber").Value > 0);
        Assert.True(families["swarmfl_transactions_sent_total"].Samples.Single().Value >= OperatedSwarm.RoundsToWatch, "a commit per round at least");
        Assert.True(families["swarmfl_transactions_gas_used_total"].Samples.Single().Value > 0);
        Assert.Equal(1, families["swarmfl_peers_connected"].Samples.Single().Value);
        Assert.Equal(2, families["swarmfl_ring_known_nodes"].Samples.Single().Value);
        Assert.Equal(1, families["swarmfl_ring_successors"].Samples.Single().Value);
        Assert.True(families["swarmfl_models_stored"].Samples.Single().Value >= OperatedSwarm.RoundsToWatch);
        Assert.True(families["swarmfl_models_stored_bytes"].Samples.Single().Value > 0);
        // Known once the node has trained in a round (NaN between a round's start and its training).
        // Scrapes taken before the node's first status have the family but no samples yet.
        var local = run.Scrapes.SelectMany(f => f["swarmfl_committed_metric"].Samples.Where(s => s.Label("scope") == "local").Select(s => s.Value))
            .Where(v => !double.IsNaN(v)).ToList();
        Assert.NotEmpty(local);
        Assert.All(local, v => Assert.InRange(v, 0.05, 1));
        output.WriteLine(run.LastScrapeText);
    }

    [Fact]
    public void Health_and_readiness_follow_the_chain_rpc_going_away_and_coming_back()
    {
        Assert.Equal(["before the outage", "chain RPC stopped", "chain RPC started again"], run.Health.Select(h => h.When));
        Assert.Equal([200, 503, 200], run.Health.Select(h => h.Readyz));
        Assert.Contains("not following the chain", run.Health[1].ReadyReason);
        Assert.Equal("ok", run.Health[2].ReadyReason);
        // Liveness stays up: the loops keep running through the outage (restarting the node would not bring the chain back).
        Assert.Equal([200, 200, 200], run.Health.Select(h => h.Healthz));
    }

    [Fact]
    public void The_published_release_runs_and_joins_without_the_sdk()
    {
        Assert.DoesNotContain(run.NoSdk["PATH"]!.Split(':'), dir => File.Exists(Path.Combine(dir, "dotnet")));
        Assert.True(run.ReleaseVersion.ExitCode == 0, run.ReleaseVersion.StdErr);
        Assert.Matches(@"^swarmfl \d+\.\d+\.\d+ \(\.NET 10\.", run.ReleaseVersion.StdOut);
        Assert.True(File.Exists(Path.Combine(run.ReleaseDirectory, "libtorch.so")));
        Assert.True(File.Exists(Path.Combine(run.ReleaseDirectory, "contracts", "SwarmCoordinator.json")));
        Assert.False(Directory.Exists(Path.Combine(run.ReleaseDirectory, "runtimes", "win-x64")));
        Assert.Empty(run.SdkFilesMappedByB);
        Assert.True(run.RoundsOfB.Count >= 1, $"the release node wrote no round\n{run.Logs()}");
        Assert.Contains(run.RoundsOfB, r => r.Role is "Member" or "Leader");
        Assert.True(run.ScrapeOfB!["swarmfl_rounds_completed_total"].Samples.Single().Value >= 1);
    }
}
