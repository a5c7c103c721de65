using System.Text.RegularExpressions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Models.Declarative;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Issue #12, with real processes: a swarm pinned on a JSON model (swarmfl-model/1, with a BatchNorm so an int64
/// buffer travels and is merged) trains on MNIST IDX slices for two rounds. Two members start with <c>--model FILE</c>;
/// the third runs <c>swarmfl join MULTIADDR</c> with no model at all: it fetches the model file from its peer by the
/// content id of the chain's hash, checks it, and trains it. Then <c>audit --verify</c> recomputes every merge.
/// </summary>
public sealed class DeclarativeModelSwarmTests(DeclarativeModelSwarmTests.Run run) : IClassFixture<DeclarativeModelSwarmTests.Run>
{
    public const string ModelJson = """
        {"format":"swarmfl-model/1","name":"e2e-mlp-bn","input":[1,28,28],"layers":[
          {"type":"flatten"},{"type":"linear","out":32},{"type":"batchnorm1d","name":"bn"},{"type":"relu"},{"type":"linear","out":10}]}
        """;

    public sealed class Run : IAsyncLifetime
    {
        public const ulong Rounds = 2;
        private const int Nodes = 3;
        private readonly HardhatNode _hardhat = new();

        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("swarmfl-e2e-json").FullName;
        public List<NodeProcess> Processes { get; } = [];
        public NodeProcess Joiner => Processes[^1];
        public DeclarativeModel Model { get; } = DeclarativeModel.Parse(ModelJson);
        public string ModelPath => Path.Combine(Directory, "model.json");
        public string Created { get; private set; } = "";
        public ProcessResult Audit { get; private set; } = null!;
        public AuditJson AuditReport { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await File.WriteAllTextAsync(ModelPath, ModelJson);
            await _hardhat.InitializeAsync();
            var dataDirs = Enumerable.Range(0, Nodes).Select(i => Path.Combine(Directory, $"n{i}")).ToArray();
            // Only the two founding members get the genesis weights; the joiner gets everything from the swarm.
            var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", ModelPath, "--seed", "1", "--data-dirs", string.Join(',', dataDirs[..2])), "bafkrei[a-z2-7]+").Value;
            var key = Path.Combine(Directory, "deployer.key");
            await SwarmflProcess.OutputOfAsync("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", key);
            Created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", _hardhat.RpcUrl, "--key", key, "--min-peers", Nodes.ToString(), "--commit-window", "45",
                "--merge-timeout", "30", "--cluster-size", "4", "--model", ModelPath, "--genesis-model", genesis);
            var contract = Regex.Match(Created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value;

            var first = Add(0, dataDirs[0], ["node", "--rpc", _hardhat.RpcUrl, "--contract", contract, "--model", ModelPath]);
            first.Start();
            var firstAddress = await WaitForAsync(() => first.ReadStatus()?.Listen, "the first node to listen");
            Add(1, dataDirs[1], ["node", "--rpc", _hardhat.RpcUrl, "--contract", contract, "--model", ModelPath, "--bootstrap", firstAddress]).Start();
            Add(2, dataDirs[2], ["join", firstAddress]).Start(); // no --model: fetched from the peer
            await NodeWait.UntilAllExitedAsync(Processes, $"round {Rounds}", TimeSpan.FromMinutes(8), Logs);
            Audit = await SwarmflProcess.RunAsync("audit", "--rpc", _hardhat.RpcUrl, "--contract", contract, "--verify", "--json", "--data-dirs", string.Join(',', dataDirs));
            AuditReport = AuditJson.Parse(Audit.StdOut);
        }

        private NodeProcess Add(int index, string dataDir, string[] command)
        {
            var node = new NodeProcess($"n{index}", dataDir, Path.Combine(Directory, $"n{index}.log"),
            [
                .. command, "--data-dir", dataDir, "--listen", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}", "--data", RepoPaths.MnistData,
                "--limit", "1500", "--parts", Nodes.ToString(), "--part", index.ToString(), "--rounds", Rounds.ToString(), "--threads", "1",
                "--batch", "20", "--log-level", "Information",
            ]);
            Processes.Add(node);
            return node;
        }

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
    public void Swarm_create_pins_the_JSON_models_hash_and_names_its_content_id()
    {
        Assert.Contains($"model: e2e-mlp-bn (Declarative) {run.Model.HashHex} file {run.Model.FileId}", run.Created);
    }

    [Fact]
    public void The_joiner_fetched_the_model_file_from_its_peer_and_holds_the_canonical_bytes()
    {
        var fetched = Path.Combine(run.Joiner.DataDirectory, "model", run.Model.FileId.ToString());
        Assert.True(File.Exists(fetched), $"no fetched model at {fetched}\n{run.Logs()}");
        Assert.Equal(run.Model.FileBytes, File.ReadAllBytes(fetched));
        Assert.Contains("Fetched the swarm's model file", run.Joiner.LogTail(400));
    }

    [Fact]
    public void Every_member_committed_in_every_round_and_the_audit_recomputes_every_merge()
    {
        Assert.True(run.AuditReport.Report.Passed, $"audit failed:\n{run.Audit.StdOut}\n{run.Audit.StdErr}\n{run.Logs()}");
        for (var round = 1ul; round <= Run.Rounds; round++)
        {
            var commits = run.AuditReport.Round(round).Commits;
            Assert.Equal(run.Processes.Select(n => n.Address.ToString().ToLowerInvariant()).Order(), commits.Select(c => c.Member.ToLowerInvariant()).Order());
        }
        Assert.True(run.AuditReport.Report.MergesRecomputed >= (int)Run.Rounds, $"{run.AuditReport.Report.MergesRecomputed} merges recomputed");
    }

    [Fact]
    public void The_merged_models_carry_the_batchnorm_counter_as_int64()
    {
        var merge = run.AuditReport.Round(Run.Rounds).Merges.First();
        var path = run.Processes.Select(n => Path.Combine(n.DataDirectory, "models", "blobs", merge.Model)).First(File.Exists);
        var weights = SwarmFL.Learning.ModelFiles.SafeTensors.Load(path, run.Model.Layout);
        Assert.True(weights["bn.num_batches_tracked"][0] > 0);
        Assert.Equal(ContentId.Parse(merge.Model), ContentId.Of(File.ReadAllBytes(path)));
    }
}
