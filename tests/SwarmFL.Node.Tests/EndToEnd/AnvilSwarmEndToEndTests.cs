using System.Numerics;
using System.Text.RegularExpressions;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>anvil on chain id 1337 mining a block every 2 s: no devnet conveniences, blocks as slow as a public chain's.</summary>
public sealed class AnvilSlowOtherChainNode() : AnvilNode(new AnvilOptions(ChainId: 1337, BlockTimeSeconds: 2));

/// <summary>
/// A short real swarm on anvil instead of Hardhat, on a chain id that is not the devnet's (so no node may fund itself:
/// the harness funds their keys, as a user would with a faucet) and with a block every 2 s: `swarm create`, one
/// `node` given the deployment block, two `join`s that learn it from that peer, two rounds of mnist-2nn, then
/// `audit --verify`.
/// </summary>
public sealed class AnvilSwarmEndToEndTests(AnvilSlowOtherChainNode anvil) : IClassFixture<AnvilSlowOtherChainNode>, IDisposable
{
    private const int Nodes = 3;
    private const ulong Rounds = 2;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-anvil-e2e").FullName;
    private readonly List<NodeProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Three_nodes_run_two_rounds_on_anvil_with_2_s_blocks_and_the_audit_passes()
    {
        var dataDirs = Enumerable.Range(0, Nodes).Select(i => Path.Combine(_dir, $"n{i}")).ToArray();
        var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", "mnist-2nn", "--seed", "1", "--data-dirs", string.Join(',', dataDirs)), "bafkrei[a-z2-7]+").Value;
        foreach (var dir in dataDirs)
        {
            var key = NodeKey.Generate();
            await SwarmflProcess.OutputOfAsync("key", "import", "--hex", key.PrivateKeyHex(), "--out", Path.Combine(dir, "node.key"));
            await anvil.FundAsync(key.Address.ToString(), BigInteger.Pow(10, 20));
        }
        var deployerKey = Path.Combine(_dir, "deployer.key");
        await SwarmflProcess.OutputOfAsync("key", "import", "--hex", AnvilNode.Account0PrivateKey, "--out", deployerKey);
        var created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", anvil.RpcUrl, "--chain-id", "1337", "--key", deployerKey, "--min-peers", Nodes.ToString(),
            "--commit-window", "45", "--merge-timeout", "20", "--cluster-size", "3", "--model-spec-hash", "mnist-2nn", "--genesis-model", genesis);
        var contract = Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value;
        var block = ulong.Parse(Regex.Match(created, "block: ([0-9]+)").Groups[1].Value);
        Assert.True(block > 0, created);

        var first = AddNode(0, dataDirs[0], ["node", "--rpc", anvil.RpcUrl, "--contract", contract, "--deployment-block", block.ToString()]);
        first.Start();
        var firstAddress = await WaitForAsync(() => first.ReadStatus()?.Listen, "the first node to listen");
        var status = await SwarmflProcess.OutputOfAsync("status", "--via", firstAddress);
        Assert.Contains($"deployed in block {block}", status);
        AddNode(1, dataDirs[1], ["join", firstAddress]).Start();
        AddNode(2, dataDirs[2], ["join", firstAddress]).Start();

        foreach (var node in _nodes)
        {
            var code = await node.WaitForExitAsync(Limit);
            Assert.True(code == 0, $"{node.Name} exited with {code}\n{Logs()}");
        }
        foreach (var node in _nodes) Assert.Equal((int)Rounds, node.ReadRounds().Count);

        var audit = await SwarmflProcess.RunAsync("audit", "--rpc", anvil.RpcUrl, "--contract", contract, "--verify", "--data-dirs", string.Join(',', dataDirs), "--json");
        Assert.True(audit.ExitCode == 0, $"audit exited with {audit.ExitCode}\n{audit.StdErr}\n{Logs()}");
        var report = AuditJson.Parse(audit.StdOut);
        Assert.True(report.Report.Passed, audit.StdOut);
        Assert.True(report.Report.MergesRecomputed >= (int)Rounds, audit.StdOut);
        Assert.Equal(Nodes, report.Round(1).Commits.Count);
    }

    private NodeProcess AddNode(int index, string dataDir, string[] command)
    {
        string[] arguments =
        [
            .. command, "--data-dir", dataDir, "--listen", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}",
            "--data", RepoPaths.MnistData, "--limit", "1500", "--parts", Nodes.ToString(), "--part", index.ToString(),
            "--rounds", Rounds.ToString(), "--threads", "1", "--log-level", "Information",
        ];
        var node = new NodeProcess($"n{index}", dataDir, Path.Combine(_dir, $"n{index}.log"), arguments);
        _nodes.Add(node);
        return node;
    }

    private Task<string> WaitForAsync(Func<string?> probe, string what) => NodeWait.ForAsync(_nodes, probe, what, Limit, Logs);

    private string Logs() => string.Join("\n", _nodes.Select(n => n.LogTail()));

}
