using System.Text.RegularExpressions;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Issue #14's retention with real processes, kept small: two members (one `swarmfl node`, one `swarmfl join`, which
/// checks the deployment block its peer announced) train mnist-2nn for three rounds with <c>--retention 1</c>. Once
/// they have stopped, the local updates of round 1 are gone from every store while the last round's and every merged
/// model of the lineage are still held, and <c>audit --verify</c> over those stores passes, recomputing what it can.
/// While the first member runs, <c>swarmfl status --via</c> shows its resource use, and the chain URL it advertises
/// without the user info and query its own --rpc carries.
/// </summary>
public sealed class RetentionEndToEndTests(RetentionEndToEndTests.Run run) : IClassFixture<RetentionEndToEndTests.Run>
{
    public sealed class Run : IAsyncLifetime
    {
        public const ulong Rounds = 3;
        private const int Nodes = 2;
        private readonly HardhatNode _hardhat = new();

        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("swarmfl-e2e-retention").FullName;
        public List<NodeProcess> Processes { get; } = [];
        public ProcessResult Audit { get; private set; } = null!;
        public ProcessResult Status { get; private set; } = null!;
        public string CredentialedRpcUrl => _hardhat.RpcUrl.Replace("http://", "http://user:pass@") + "/?key=secret";
        public string AdvertisedRpcUrl => _hardhat.RpcUrl + "/";
        public AuditJson AuditReport { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _hardhat.InitializeAsync();
            var dataDirs = Enumerable.Range(0, Nodes).Select(i => Path.Combine(Directory, $"n{i}")).ToArray();
            var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", "mnist-2nn", "--seed", "1", "--data-dirs", string.Join(',', dataDirs)), "bafkrei[a-z2-7]+").Value;
            var key = Path.Combine(Directory, "deployer.key");
            await SwarmflProcess.OutputOfAsync("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", key);
            var created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", _hardhat.RpcUrl, "--key", key, "--min-peers", Nodes.ToString(), "--commit-window", "45",
                "--merge-timeout", "30", "--cluster-size", "2", "--model-spec-hash", "mnist-2nn", "--genesis-model", genesis);
            var contract = Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value;

            // The first member's RPC URL carries credentials, as a provider's may; swarm info must not pass them on, and
            // the joiner uses the URL it advertises without them.
            var first = Add(0, dataDirs[0], ["node", "--rpc", CredentialedRpcUrl, "--contract", contract]);
            first.Start();
            var firstAddress = await WaitForAsync(() => first.ReadStatus()?.Listen, "the first node to listen");
            // `swarmfl status` asks the running node over the public swarm-info protocol, as an outsider would.
            Status = await SwarmflProcess.RunAsync("status", "--via", firstAddress);
            Add(1, dataDirs[1], ["join", firstAddress]).Start();
            await NodeWait.UntilAllExitedAsync(Processes, $"round {Rounds}", TimeSpan.FromMinutes(8), Logs);
            Audit = await SwarmflProcess.RunAsync("audit", "--rpc", _hardhat.RpcUrl, "--contract", contract, "--verify", "--json", "--data-dirs", string.Join(',', dataDirs));
            AuditReport = AuditJson.Parse(Audit.StdOut);
        }

        private NodeProcess Add(int index, string dataDir, string[] command)
        {
            var node = new NodeProcess($"n{index}", dataDir, Path.Combine(Directory, $"n{index}.log"),
            [
                .. command, "--data-dir", dataDir, "--listen", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}", "--data", RepoPaths.MnistData,
                "--limit", "1000", "--parts", Nodes.ToString(), "--part", index.ToString(), "--rounds", Rounds.ToString(), "--threads", "1",
                "--batch", "20", "--retention", "1", "--log-level", "Information",
            ]);
            Processes.Add(node);
            return node;
        }

        public bool AnyStoreHolds(string model) => Processes.Any(n => File.Exists(Path.Combine(n.DataDirectory, "models", "blobs", model)));

        private Task<string> WaitForAsync(Func<string?> probe, string what) => NodeWait.ForAsync(Processes, probe, what, TimeSpan.FromMinutes(3), Logs);


        public string Logs() => string.Join("\n", Processes.Select(n => n.LogTail(60)));

        public async Task DisposeAsync()
        {
            foreach (var node in Processes) node.Dispose();
            await _hardhat.DisposeAsync();
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void The_local_updates_older_than_the_retention_are_deleted_from_every_store()
    {
        var round1 = run.AuditReport.Round(1).Commits;
        Assert.Equal(2, round1.Count);
        Assert.All(round1, c => Assert.False(run.AnyStoreHolds(c.Model), $"round 1's update {c.Model} is still stored\n{run.Logs()}"));
        Assert.Contains(run.Processes, n => n.LogTail(2000).Contains("Retention: deleted"));
        // The last round is within the retention: its updates are still held.
        Assert.All(run.AuditReport.Round(Run.Rounds).Commits, c => Assert.True(run.AnyStoreHolds(c.Model), $"round {Run.Rounds}'s update {c.Model} was deleted"));
    }

    [Fact]
    public void The_merged_models_of_the_lineage_are_kept_and_the_audit_still_passes()
    {
        var rounds = Enumerable.Range(1, (int)Run.Rounds).Select(r => run.AuditReport.Round((ulong)r)).ToList();
        var lineage = rounds.SelectMany(r => r.Merges.Select(m => m.Model).Concat(r.SemiGlobals.Select(s => s.Model))).ToList();
        Assert.Equal(2 * (int)Run.Rounds, lineage.Count);
        Assert.All(lineage, model => Assert.True(run.AnyStoreHolds(model), $"merged model {model} was deleted"));

        Assert.True(run.AuditReport.Report.Passed, $"audit failed:\n{run.Audit.StdOut}\n{run.Audit.StdErr}\n{run.Logs()}");
        Assert.Equal(0, run.Audit.ExitCode);
        // Every semi-global is recomputed from the kept cluster models, and the last round's merge from its kept inputs.
        Assert.True(run.AuditReport.Report.MergesRecomputed >= (int)Run.Rounds + 1, $"{run.AuditReport.Report.MergesRecomputed} merges recomputed");
    }

    [Fact]
    public void Swarmfl_status_shows_a_line_of_the_running_nodes_resource_use()
    {
        Assert.True(run.Status.ExitCode == 0, $"status exited {run.Status.ExitCode}: {run.Status.StdErr}");
        var line = run.Status.StdOut.Split('\n').FirstOrDefault(l => l.StartsWith("resources: ", StringComparison.Ordinal));
        Assert.NotNull(line);
        Assert.Matches(@"^resources: \d+ connections, \d+ handshaking, \d+ inbound streams \([0-9.]+ MiB reserved\), \d+ members known, \d+ refused", line);
    }

    [Fact]
    public void Swarm_info_advertises_the_rpc_url_without_its_credentials()
    {
        Assert.DoesNotContain("user:pass", run.Status.StdOut);
        Assert.DoesNotContain("key=secret", run.Status.StdOut);
        Assert.Contains($"(chain {HardhatNode.ChainId}, {run.AdvertisedRpcUrl}, deployed in block", run.Status.StdOut);
    }
}
