using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Devnet;

/// <summary>
/// `swarmfl devnet up` as a child process with a real Hardhat node and a real `swarm create`, but with the nodes replaced
/// by Devnet/fake-node.mjs, a test double whose accuracies are made up. It checks the launcher's plumbing only: node
/// command lines, bootstrap from the first node's status.json, results files, audit exit codes, clean shutdown.
/// </summary>
public sealed class DevnetLauncherTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("swarmfl-devnet-launch").FullName;
    private static string FakeNode => Path.Combine(RepoPaths.Tests, "SwarmFL.Node.Tests", "Devnet", "fake-node.mjs");

    public void Dispose() => Directory.Delete(_out, recursive: true);

    private string[] Args(params string[] extra) =>
    [
        "devnet", "up", "--nodes", "2", "--rounds", "2", "--no-baselines", "--node-executable", FakeNode, "--out", _out, "--timeout", "5", .. extra,
    ];

    private static async Task<ProcessResult> RunAsync(string[] args, IDictionary<string, string>? env = null) =>
        await ProcessRunner.RunAsync("dotnet", new[] { SwarmflProcess.Dll }.Concat(args), env: env);

    [Fact]
    public async Task Runs_nodes_on_disjoint_parts_bootstraps_them_from_the_first_and_writes_results_and_the_audit()
    {
        RepoPaths.RequireNodeModules();
        File.SetUnixFileMode(FakeNode, File.GetUnixFileMode(FakeNode) | UnixFileMode.UserExecute);

        var run = await RunAsync(Args());

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        var runDir = Assert.Single(Directory.GetDirectories(_out));
        var argsOf = Enumerable.Range(0, 2)
            .Select(i => JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(runDir, "nodes", $"node-{i}", "data", "args.json")))!).ToList();
        string Flag(string[] a, string f) => a[Array.IndexOf(a, f) + 1];
        Assert.Equal(["0", "1"], argsOf.Select(a => Flag(a, "--part")));
        Assert.DoesNotContain("--bootstrap", argsOf[0]);
        var firstStatus = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "nodes", "node-0", "data", "status.json")));
        Assert.Equal(firstStatus.RootElement.GetProperty("listen").GetString(), Flag(argsOf[1], "--bootstrap"));
        Assert.StartsWith("0x", Flag(argsOf[0], "--contract"));

        // The genesis model is in every node's store before it starts.
        var genesisId = Directory.GetFiles(Path.Combine(runDir, "nodes", "node-1", "data", "models", "blobs")).Select(Path.GetFileName).Single();
        Assert.Equal(SwarmFL.Crypto.ContentId.Of(File.ReadAllBytes(Path.Combine(runDir, "genesis.safetensors"))).ToString(), genesisId);

        using var rounds = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "rounds.json")));
        var list = rounds.RootElement.GetProperty("rounds");
        Assert.Equal(2, list.GetArrayLength());
        Assert.Equal(2, list[1].GetProperty("nodes").GetArrayLength());
        Assert.Equal("node-1", list[1].GetProperty("clusters")[0].GetProperty("leader").GetString());
        Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(runDir, "accuracy.png"))[0]);
        var summary = File.ReadAllText(Path.Combine(runDir, "summary.md"));
        Assert.Contains("Not a real swarm run", summary);
        Assert.Contains("exit code: 0", summary);
        Assert.Contains("fake audit of 0x", summary);
        Assert.True(File.Exists(Path.Combine(runDir, "hardhat.log")));
        Assert.True(File.Exists(Path.Combine(runDir, "nodes", "node-1", "node.out.log")));
    }

    [Fact]
    public async Task A_failed_audit_makes_the_launcher_fail()
    {
        RepoPaths.RequireNodeModules();
        File.SetUnixFileMode(FakeNode, File.GetUnixFileMode(FakeNode) | UnixFileMode.UserExecute);

        var run = await RunAsync(Args(), new Dictionary<string, string> { ["FAKE_AUDIT_EXIT"] = "1" });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("audit did not pass", run.StdOut);
        var summary = File.ReadAllText(Path.Combine(Assert.Single(Directory.GetDirectories(_out)), "summary.md"));
        Assert.Contains("exit code: 1", summary);
        Assert.Contains("FAILED", summary);
    }

    [Fact]
    public async Task Sigint_stops_the_nodes_and_the_chain_and_leaves_no_process_behind()
    {
        RepoPaths.RequireNodeModules();
        File.SetUnixFileMode(FakeNode, File.GetUnixFileMode(FakeNode) | UnixFileMode.UserExecute);
        var stdout = new System.Text.StringBuilder();
        using var launcher = SwarmflProcess.Start(Args(), line => { lock (stdout) stdout.AppendLine(line); }, new Dictionary<string, string> { ["FAKE_NODE_HANG"] = "1" });
        try
        {
            string[] pidFiles = [];
            for (var i = 0; i < 1200 && pidFiles.Length < 2; i++)
            {
                await Task.Delay(100);
                pidFiles = Directory.Exists(_out) ? Directory.GetFiles(_out, "pid", SearchOption.AllDirectories) : [];
            }
            Assert.Equal(2, pidFiles.Length);
            await Task.Delay(500);
            var nodePids = pidFiles.Select(f => int.Parse(File.ReadAllText(f))).ToList();
            string rpc;
            lock (stdout) rpc = stdout.ToString().Split('\n').Single(l => l.Contains("hardhat node ready at")).Split(" at ")[1].Trim();

            Assert.Equal(0, Kill(launcher.Id, 2)); // SIGINT, as Ctrl-C
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await launcher.WaitForExitAsync(wait.Token);

            Assert.Equal(130, launcher.ExitCode);
            Assert.All(nodePids, pid => Assert.False(Alive(pid), $"node process {pid} outlived the launcher"));
            var port = new Uri(rpc).Port;
            using var client = new TcpClient();
            Assert.ThrowsAny<SocketException>(() => client.Connect("127.0.0.1", port));
        }
        finally
        {
            if (!launcher.HasExited) launcher.Kill(entireProcessTree: true);
        }
    }

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
