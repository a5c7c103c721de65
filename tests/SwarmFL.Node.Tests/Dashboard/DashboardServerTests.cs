using System.Net;
using System.Text.Json;
using SwarmFL.Crypto;
using SwarmFL.Node.Dashboard;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.Dashboard;

/// <summary>The real Kestrel server over a run directory written by the test (the devnet-backed checks are in
/// DevnetDashboardTests and tests/browser).</summary>
public sealed class DashboardServerTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("swarmfl-dashboard").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_run, recursive: true);
    }

    private StatusFiles Node(int index, NodeKey key, int rounds)
    {
        var data = Path.Combine(_run, "nodes", $"node-{index}", "data");
        Directory.CreateDirectory(data);
        var files = new StatusFiles(data);
        files.WriteStatus(new NodeStatusFile(key.PeerId.ToString(), key.Address.ToString(), null, (ulong)rounds + 1, "Commit", "Member", 0, "training",
            0.3, 0.8, 0.7, DateTimeOffset.UtcNow, false, null, 0.75));
        for (var r = 1; r <= rounds; r++) files.AppendRound(Round(r, index));
        return files;
    }

    private static RoundResultFile Round(int round, int node) => new()
    {
        Round = (ulong)round, Cluster = 0, Role = node == 0 ? "Leader" : "Member", LocalHeldOutAccuracy = 0.5 + round / 10.0, SemiGlobalHeldOutAccuracy = 0.6 + round / 10.0,
        Samples = 100, Traffic = new Dictionary<string, TrafficFigures> { ["gossip"] = new(1, 2, 3, 4) },
    };

    [Fact]
    public async Task A_finished_run_is_served_from_its_files_with_the_embedded_page_and_nothing_but_GET()
    {
        var keys = new[] { NodeKey.Generate(), NodeKey.Generate() };
        Node(0, keys[0], 2);
        Node(1, keys[1], 2);
        RunFiles.Write(_run, RunFiles.ChainEvents, new RunChainEventsFile(new SwarmInfoView("0xc", null, 2, 2, "FedAvg", 2),
        [
            new(5, 0, "0x" + new string('1', 64), "commit", 1, 0, keys[1].Address.ToString(), null, "bafkreix", "100 samples"),
            new(7, 1, "0x" + new string('2', 64), "elected", 2, 0, keys[0].Address.ToString(), null, null, "attempt 0"),
        ]));
        RunFiles.Write(_run, RunFiles.Audit, new AuditView(0, true, "audit: ok"));

        await using var server = await DashboardServer.StartAsync(DashboardScope.FinishedRun(_run), new SwarmFL.Node.Web.WebEndpoint(IPAddress.Loopback, 0), "--listen", CancellationToken.None);
        Assert.Equal("127.0.0.1", server.Url.Host);

        using var swarm = JsonDocument.Parse(await _http.GetStringAsync(new Uri(server.Url, "/api/swarm")));
        var root = swarm.RootElement;
        Assert.Equal("run", root.GetProperty("mode").GetString());
        Assert.False(root.GetProperty("live").GetBoolean());
        Assert.Equal(2, root.GetProperty("nodes").GetArrayLength());
        Assert.Equal([1, 2], root.GetProperty("rounds").EnumerateArray().Select(r => r.GetProperty("round").GetInt32()));
        Assert.Equal("node-1", root.GetProperty("events")[0].GetProperty("actorNode").GetString());
        Assert.True(root.GetProperty("audit").GetProperty("passed").GetBoolean());
        Assert.Equal(1, root.GetProperty("ring").GetProperty("members").EnumerateArray().Count(m => m.GetProperty("leader").GetBoolean()));

        var page = await _http.GetStringAsync(server.Url);
        Assert.Contains("<canvas id=\"metric-chart\"", page);
        var chart = await _http.GetAsync(new Uri(server.Url, "/vendor/chart.umd.min.js"));
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Contains("Chart", await chart.Content.ReadAsStringAsync());
        Assert.Equal("round,protocol,bytes_in,bytes_out,messages_in,messages_out\n1,gossip,2,4,6,8\n2,gossip,2,4,6,8\n",
            await _http.GetStringAsync(new Uri(server.Url, "/api/traffic.csv")));

        var post = await _http.PostAsync(new Uri(server.Url, "/api/swarm"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(new Uri(server.Url, "/nothing"))).StatusCode);
    }

    [Fact]
    public async Task The_event_stream_replays_every_change_in_order_then_sends_new_rounds_as_the_nodes_write_them()
    {
        var key = NodeKey.Generate();
        var files = Node(0, key, 1);
        await using var server = await DashboardServer.StartAsync(DashboardScope.Devnet(_run), new SwarmFL.Node.Web.WebEndpoint(IPAddress.Loopback, 0), "--listen", CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await _http.GetAsync(new Uri(server.Url, "/api/events?after=0"), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var sse = new SseReader(await response.Content.ReadAsStreamAsync(cancel.Token));

        var seen = new List<SseReader.Message>();
        async Task<SseReader.Message> Until(Func<SseReader.Message, bool> match)
        {
            while (true)
            {
                var m = await sse.NextAsync(cancel.Token);
                seen.Add(m);
                if (match(m)) return m;
            }
        }
        var first = await Until(m => m.Event == "round");
        Assert.Equal(1, JsonDocument.Parse(first.Data).RootElement.GetProperty("round").GetInt32());

        files.AppendRound(Round(2, 0));
        var second = await Until(m => m.Event == "round" && JsonDocument.Parse(m.Data).RootElement.GetProperty("round").GetInt32() == 2);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen.Select(m => m.Id));

        // A client resuming after the first round gets the rest, not the first again.
        using var resumed = await _http.GetAsync(new Uri(server.Url, $"/api/events?after={first.Id}"), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var again = await new SseReader(await resumed.Content.ReadAsStreamAsync(cancel.Token)).NextAsync(cancel.Token);
        Assert.Equal(first.Id + 1, again.Id);
        Assert.True(second.Id > first.Id);
    }
}
