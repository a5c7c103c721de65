using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Dashboard;

/// <summary>
/// `swarmfl devnet up` with a real Hardhat node and `swarm create`, the nodes replaced by Devnet/fake-node.mjs (made-up
/// figures): the launcher serves the dashboard over its run directory and the chain. The real-node checks, in a browser,
/// are tests/browser/dashboard.test.mjs.
/// </summary>
public sealed partial class DevnetDashboardTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("swarmfl-devnet-dashboard").FullName;
    private static string FakeNode => Path.Combine(RepoPaths.Tests, "SwarmFL.Node.Tests", "Devnet", "fake-node.mjs");

    public void Dispose() => Directory.Delete(_out, recursive: true);

    // The launcher's own limit is longer than the test's waits (the first test stops it itself), so that on a loaded
    // machine the test, not the launcher, gives up, and says what it was waiting for.
    private string[] Args(params string[] extra) =>
        ["devnet", "up", "--nodes", "2", "--rounds", "2", "--no-baselines", "--node-executable", FakeNode, "--out", _out, "--timeout", "20", .. extra];

    [GeneratedRegex(@"dashboard: (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex DashboardLine();

    private static Uri? DashboardUrl(List<string> lines)
    {
        lock (lines) return lines.Select(l => DashboardLine().Match(l)).FirstOrDefault(m => m.Success) is { } m ? new Uri(m.Groups[1].Value) : null;
    }

    [Fact]
    public async Task Devnet_up_prints_the_dashboard_first_and_serves_the_runs_nodes_and_the_chains_events()
    {
        RepoPaths.RequireNodeModules();
        File.SetUnixFileMode(FakeNode, File.GetUnixFileMode(FakeNode) | UnixFileMode.UserExecute);
        var lines = new List<string>();
        var errors = new List<string>();
        using var launcher = SwarmflProcess.Start(Args(), line => { lock (lines) lines.Add(line); }, new Dictionary<string, string> { ["FAKE_NODE_HANG"] = "1" },
            line => { lock (errors) if (errors.Count < 200) errors.Add(line); });
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        try
        {
            string Output()
            {
                lock (lines) lock (errors) return $"{string.Join("\n", lines)}\nits stderr:\n{string.Join("\n", errors)}";
            }
            string RunLogs() => string.Join("\n", Directory.EnumerateFiles(_out, "*.log", SearchOption.AllDirectories)
                .Select(f => $"--- {Path.GetRelativePath(_out, f)}\n{File.ReadAllText(f)}"));
            var url = await Eventually.WaitAsync(() => Task.FromResult(DashboardUrl(lines)), u => u is not null, TimeSpan.FromMinutes(5),
                _ => $"no dashboard line; launcher said:\n{Output()}", gaveUp: () => launcher.HasExited);
            lock (lines) Assert.True(lines.FindIndex(l => l.Contains("dashboard: ")) <= 1, string.Join("\n", lines));

            // Until both fake nodes and the swarm's creation (read from the chain) are in the snapshot; on a loaded CI
            // machine `swarm create` alone can take minutes, so the failure says what the launcher and the run logged.
            var root = await Eventually.WaitAsync(
                async () => JsonDocument.Parse(await http.GetStringAsync(new Uri(url!, "/api/swarm"))).RootElement,
                r => r.GetProperty("nodes").GetArrayLength() == 2 && r.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "created"),
                TimeSpan.FromMinutes(6),
                r => $"snapshot: {(r.ValueKind == JsonValueKind.Undefined ? "none" : r.ToString())}\nlauncher said:\n{Output()}\n{RunLogs()}",
                poll: TimeSpan.FromMilliseconds(200), gaveUp: () => launcher.HasExited);
            Assert.Equal("devnet", root.GetProperty("mode").GetString());
            Assert.Equal(["node-0", "node-1"], root.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
            var runDir = Assert.Single(Directory.GetDirectories(_out));
            var contract = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "swarm.json"))).RootElement.GetProperty("contract").GetString();
            Assert.Equal(contract, root.GetProperty("swarm").GetProperty("contract").GetString());
            Assert.Equal(new SwarmFL.Node.Devnet.DevnetOptions().ClusterSize, root.GetProperty("swarm").GetProperty("targetClusterSize").GetInt32());
            var created = root.GetProperty("events").EnumerateArray().First(e => e.GetProperty("kind").GetString() == "created");
            Assert.Matches("^0x[0-9a-f]{64}$", created.GetProperty("tx").GetString());
            Assert.True(root.GetProperty("sequence").GetInt64() > 0);
        }
        finally
        {
            if (!launcher.HasExited) launcher.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task No_dashboard_serves_none()
    {
        RepoPaths.RequireNodeModules();
        File.SetUnixFileMode(FakeNode, File.GetUnixFileMode(FakeNode) | UnixFileMode.UserExecute);

        var run = await ProcessRunner.RunAsync("dotnet", new[] { SwarmflProcess.Dll }.Concat(Args("--no-dashboard")));

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        Assert.DoesNotContain("dashboard: ", run.StdOut);
        // The files a later `swarmfl dashboard RUN_DIR` reads are written all the same.
        var runDir = Assert.Single(Directory.GetDirectories(_out));
        Assert.True(File.Exists(Path.Combine(runDir, "swarm.json")));
        Assert.True(File.Exists(Path.Combine(runDir, "chain-events.json")));
        Assert.True(File.Exists(Path.Combine(runDir, "audit.json")));
    }
}
