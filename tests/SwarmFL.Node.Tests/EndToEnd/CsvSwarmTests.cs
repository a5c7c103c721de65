using System.Text.RegularExpressions;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Issue #12, data half, end to end with real processes: a Hardhat node; `swarmfl data-spec` fitted on the creator's
/// CSV (the tabular example's generator, fixed seed); `swarm create --model model.json --data-spec`; two `swarmfl node`
/// processes and one `swarmfl join` (which takes the model and the data spec from its peer, each checked against the
/// hash the chain pins; it is given neither) training the example's JSON model on disjoint
/// thirds of the CSV for three rounds; then `swarmfl audit --verify --data-spec` must pass.
/// </summary>
public sealed class CsvSwarmTests : IAsyncLifetime
{
    private const int Rounds = 3;
    private readonly HardhatNode _hardhat = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-csv-e2e").FullName;
    private readonly List<NodeProcess> _nodes = [];

    public Task InitializeAsync() => _hardhat.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        await _hardhat.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }


    [Fact]
    public async Task A_swarm_trains_a_json_model_on_a_csv_and_the_audit_passes()
    {
        var python = await ProcessRunner.RunAsync("python3", [Path.Combine(RepoPaths.Root, "examples", "tabular-csv", "make_data.py"), _dir, "--rows", "1500"]);
        Assert.True(python.ExitCode == 0, python.StdErr);
        var (train, test) = (Path.Combine(_dir, "train.csv"), Path.Combine(_dir, "test.csv"));
        var model = Path.Combine(RepoPaths.Root, "examples", "tabular-csv", "model.json");
        var spec = Path.Combine(_dir, "spec.json");
        await SwarmflProcess.OutputOfAsync("data-spec", "--model", model, "--data", train, "--out", spec);

        var dataDirs = Enumerable.Range(0, 3).Select(i => Path.Combine(_dir, $"n{i}")).ToArray();
        var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", model, "--seed", "1", "--data-dirs", string.Join(',', dataDirs)), "bafkrei[a-z2-7]+").Value;
        var key = Path.Combine(_dir, "deployer.key");
        await SwarmflProcess.OutputOfAsync("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", key);
        var created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", _hardhat.RpcUrl, "--key", key, "--min-peers", "3", "--commit-window", "30",
            "--merge-timeout", "20", "--cluster-size", "2", "--model", model, "--data-spec", spec, "--genesis-model", genesis);
        var contract = Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value;

        NodeProcess Node(int i, params string[] command)
        {
            string[] ownSpec = command[0] == "join" ? [] : ["--data-spec", spec];
            var node = new NodeProcess($"n{i}", dataDirs[i], Path.Combine(_dir, $"n{i}.log"),
            [
                .. command, "--data-dir", dataDirs[i], "--listen", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}", "--data", train, "--test-data", test,
                .. ownSpec, "--parts", "3", "--part", i.ToString(), "--rounds", Rounds.ToString(), "--threads", "1", "--epochs", "2", "--batch", "20",
            ]);
            _nodes.Add(node);
            node.Start();
            return node;
        }
        var first = Node(0, "node", "--rpc", _hardhat.RpcUrl, "--contract", contract, "--model", model);
        var address = await NodeWait.ForAsync([first], () => first.ReadStatus()?.Listen, "the first node to listen", TimeSpan.FromMinutes(3), () => first.LogTail());
        Node(1, "node", "--rpc", _hardhat.RpcUrl, "--contract", contract, "--model", model, "--bootstrap", address);
        Node(2, "join", address); // no --model, no --data-spec: the peer serves both, the chain pins their hashes

        await NodeWait.UntilAllExitedAsync(_nodes, $"round {Rounds}", TimeSpan.FromMinutes(8), () => string.Join("\n", _nodes.Select(n => n.LogTail())));
        Assert.Contains("served by the peer, checked against the chain", File.ReadAllText(Path.Combine(_dir, "n2.log")));
        foreach (var node in _nodes)
        {
            var rounds = node.ReadRounds();
            Assert.Equal(Rounds, rounds.Count);
            // Three well-separated classes: the swarm's model is far above chance (1/3) on the held-back test file.
            Assert.True(rounds[^1].SemiGlobalTestAccuracy > 0.7, $"{node.Name}: test accuracy {rounds[^1].SemiGlobalTestAccuracy}\n{node.LogTail()}");
        }

        var audit = await SwarmflProcess.RunAsync("audit", "--rpc", _hardhat.RpcUrl, "--contract", contract, "--verify",
            "--data-dirs", string.Join(',', dataDirs), "--data-spec", spec);
        Assert.True(audit.ExitCode == 0, $"{audit.StdOut}\n{audit.StdErr}");
        Assert.Contains("audit passed", audit.StdOut);
        Assert.Contains("base-accuracy=", audit.StdOut);
    }
}
