using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SwarmFL.Swarm.Hosting;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// A whole swarm of real processes: a Hardhat node, the contract deployed by `swarmfl swarm create`, and `swarmfl node`
/// processes (one of them joining by peer address) training mnist-2nn with TorchSharp on disjoint slices of real MNIST,
/// talking libp2p over loopback. Afterwards `swarmfl audit --verify` recomputes every merge from the nodes' stores.
/// </summary>
public sealed class SwarmEndToEndTests(HardhatNode hardhat) : IClassFixture<HardhatNode>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-e2e").FullName;
    private readonly List<Process> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes.Where(n => !n.HasExited)) node.Kill(entireProcessTree: true);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static async Task<string> Swarmfl(params string[] args) => (await SwarmflProcess.RunAsync(args)).EnsureSuccess($"swarmfl {string.Join(' ', args)}").StdOut;

    private Process StartNode(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { SwarmflProcess.Dll }.Concat(args)) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var log = Path.Combine(_dir, $"node-{_nodes.Count}.log");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_nodes) File.AppendAllText(log, e.Data + "\n"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_nodes) File.AppendAllText(log, e.Data + "\n"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _nodes.Add(process);
        return process;
    }

    private string NodeArgs(int part, int parts = 3) =>
        $"--data-dir {_dir}/n{part} --data {RepoPaths.MnistData} --test-data {RepoPaths.MnistData} --limit 3000 --test-limit 2000 --parts {parts} --part {part} --rounds 4 --threads 1 --log-level Information";

    [Fact]
    public async Task Three_nodes_run_four_rounds_a_fourth_joins_mid_run_accuracy_rises_and_the_audit_recomputes_every_merge()
    {
        var dataDirs = Enumerable.Range(0, 4).Select(i => Path.Combine(_dir, $"n{i}")).ToArray();
        var genesis = Regex.Match(await Swarmfl("genesis", "--model", "mnist-2nn", "--seed", "1", "--data-dirs", string.Join(',', dataDirs)), "bafkrei[a-z2-7]+").Value;
        var deployerKey = Path.Combine(_dir, "deployer.key");
        await Swarmfl("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", deployerKey);
        var created = await Swarmfl("swarm", "create", "--rpc", hardhat.RpcUrl, "--key", deployerKey, "--min-peers", "3", "--commit-window", "120",
            "--merge-timeout", "60", "--cluster-size", "2", "--model-spec-hash", "mnist-2nn", "--genesis-model", genesis);
        var contract = Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value;

        StartNode([.. $"node --rpc {hardhat.RpcUrl} --contract {contract} {NodeArgs(0)}".Split(' ')]);
        var first = await WaitForStatusAsync(dataDirs[0], s => s.Listen is not null, TimeSpan.FromMinutes(3));
        StartNode([.. $"node --rpc {hardhat.RpcUrl} --contract {contract} --bootstrap {first.Listen} {NodeArgs(1)}".Split(' ')]);
        StartNode([.. $"join {first.Listen} {NodeArgs(2)}".Split(' ')]); // learns chain, contract and model from the peer

        // A fourth node joins by peer address once round 1 is over; membership changes apply from the next round.
        await WaitForRoundsAsync(dataDirs[0], 1, TimeSpan.FromMinutes(5));
        StartNode([.. $"join {first.Listen} {NodeArgs(3, parts: 4)}".Split(' ')]);

        foreach (var node in _nodes)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, $"a node exited with {node.ExitCode}:\n{Logs()}");
        }

        var rounds = dataDirs.Select(d => StatusFiles.ReadRounds(Path.Combine(d, "rounds.jsonl"))).ToList();
        foreach (var perNode in rounds.Take(3))
            Assert.Equal([1ul, 2ul, 3ul, 4ul], perNode.Select(r => r.Round).ToArray());
        var merged = rounds[0].Select(r => r.SemiGlobalTestAccuracy!.Value).ToArray();
        Assert.True(merged[3] > merged[0] && merged[0] > 0.5, $"merged test accuracy per round: {string.Join(", ", merged)}");
        Assert.All(rounds.Take(3).SelectMany(r => r), r => Assert.NotNull(r.MergedModel));
        var joined = rounds[3].Where(r => r.LocalModel is not null).Select(r => r.Round).ToList();
        Assert.True(joined.Count > 0 && joined.Min() >= 2, $"the late joiner committed in rounds [{string.Join(", ", joined)}]:\n{Logs()}");

        var audit = await SwarmflProcess.RunAsync("audit", "--rpc", hardhat.RpcUrl, "--contract", contract, "--verify", "--data-dirs", string.Join(',', dataDirs));
        Assert.True(audit.ExitCode == 0, audit.StdOut + audit.StdErr);
        Assert.Matches(@"audit passed: \d+ rounds, \d+ content ids checked, (\d+) merges recomputed", audit.StdOut);
        Assert.True(int.Parse(Regex.Match(audit.StdOut, @"(\d+) merges recomputed").Groups[1].Value) >= 8 * 2, audit.StdOut);
    }

    private async Task WaitForRoundsAsync(string dataDir, int rounds, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (StatusFiles.ReadRounds(Path.Combine(dataDir, "rounds.jsonl")).Count < rounds)
        {
            if (DateTime.UtcNow > deadline || _nodes.Any(n => n.HasExited)) throw new TimeoutException($"{dataDir} never finished round {rounds}:\n{Logs()}");
            await Task.Delay(250);
        }
    }

    private async Task<NodeStatusFile> WaitForStatusAsync(string dataDir, Func<NodeStatusFile, bool> ready, TimeSpan limit)
    {
        var path = Path.Combine(dataDir, "status.json");
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path))
            {
                var status = JsonSerializer.Deserialize<NodeStatusFile>(await File.ReadAllTextAsync(path), StatusFiles.Json);
                if (status is not null && ready(status)) return status;
            }
            if (_nodes.Any(n => n.HasExited)) break;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{path} never became ready:\n{Logs()}");
    }

    private string Logs() => string.Join("\n", Directory.GetFiles(_dir, "node-*.log").Select(f => $"--- {f}\n{string.Join('\n', File.ReadLines(f).TakeLast(30))}"));
}
