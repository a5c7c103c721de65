using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Node.Cli;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests;

/// <summary>`swarmfl swarm create | show` as a child process against a real Hardhat node.</summary>
public sealed class ChainCommandTests(HardhatNode hardhat) : IClassFixture<HardhatNode>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-chain-cli").FullName;
    private static readonly string Genesis = ContentId.Of("genesis"u8).ToString();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> NewKeyAsync(string name)
    {
        var path = Path.Combine(_dir, name);
        (await SwarmflProcess.RunAsync("key", "new", "--out", path)).EnsureSuccess("key new");
        return path;
    }

    [Fact]
    public async Task Create_deploys_from_an_unfunded_key_and_show_prints_config_members_clusters_and_phase()
    {
        var keyPath = await NewKeyAsync("creator.key");
        var create = (await SwarmflProcess.RunAsync("swarm", "create", "--rpc", hardhat.RpcUrl, "--key", keyPath, "--min-peers", "2",
            "--cluster-size", "1", "--commit-window", "90", "--genesis-model", Genesis, "--aggregation", "median",
            "--model-spec-hash", "mnist-2nn")).EnsureSuccess("swarm create");
        var contractLine = create.StdOut.Split('\n').Single(l => l.StartsWith("contract: "));
        var address = EthereumAddress.Parse(contractLine["contract: ".Length..].Trim());

        // Two members register through the library, which opens round 1 with two single-member clusters.
        using var eth = new EthClient(new JsonRpcClient(hardhat.RpcUrl));
        var keys = new[] { NodeKey.Generate(), NodeKey.Generate() };
        foreach (var key in keys)
        {
            var sender = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
            await (await SwarmCoordinator.AttachAsync(eth, address, sender)).RegisterAsync("/ip4/10.0.0.1/tcp/4001");
        }

        var show = (await SwarmflProcess.RunAsync("swarm", "show", "--rpc", hardhat.RpcUrl, "--contract", address.ToString()))
            .EnsureSuccess("swarm show").StdOut;
        Assert.Contains($"contract: {address}", show);
        Assert.Contains($"creator: {KeyFile.Load(keyPath).Address}", show);
        Assert.Contains("min-peers: 2", show);
        Assert.Contains("commit-window: 90 s", show);
        Assert.Contains("aggregation: median", show);
        Assert.Contains("(mnist-2nn)", show);
        Assert.Contains($"genesis-model: {Genesis}", show);
        Assert.Contains("round: 1", show);
        Assert.Contains("phase: Commit", show);
        Assert.Contains("members: 2", show);
        Assert.Contains("clusters: 2", show);
        foreach (var key in keys) Assert.Contains($"{key.Address} cluster ", show);
        Assert.Contains(keys[0].PeerId.ToString(), show);
    }

    [Fact]
    public async Task Allow_admits_addresses_and_peer_ids_to_an_allowlist_swarm_and_only_the_creator_may()
    {
        var creatorKey = await NewKeyAsync("creator.key");
        var create = (await SwarmflProcess.RunAsync("swarm", "create", "--rpc", hardhat.RpcUrl, "--key", creatorKey, "--allowlist",
            "--genesis-model", Genesis)).EnsureSuccess("swarm create");
        var contract = create.StdOut.Split('\n').Single(l => l.StartsWith("contract: "))["contract: ".Length..].Trim();
        var byAddress = NodeKey.Generate();
        var byPeerId = NodeKey.Generate();

        var allow = (await SwarmflProcess.RunAsync("swarm", "allow", "--rpc", hardhat.RpcUrl, "--key", creatorKey, "--contract", contract,
            byAddress.Address.ToString(), byPeerId.PeerId.ToString())).EnsureSuccess("swarm allow");
        Assert.Contains($"allowed: {byAddress.Address}", allow.StdOut);
        Assert.Contains($"allowed: {byPeerId.Address}", allow.StdOut);

        using var eth = new EthClient(new JsonRpcClient(hardhat.RpcUrl));
        var swarm = await SwarmCoordinator.AttachAsync(eth, EthereumAddress.Parse(contract));
        Assert.True(await swarm.IsAllowedAsync(byAddress.Address));
        Assert.True(await swarm.IsAllowedAsync(byPeerId.Address));
        Assert.False(await swarm.IsAllowedAsync(NodeKey.Generate().Address));

        var outsider = await SwarmflProcess.RunAsync("swarm", "disallow", "--rpc", hardhat.RpcUrl, "--key", await NewKeyAsync("outsider.key"),
            "--contract", contract, byAddress.Address.ToString());
        Assert.Equal(ExitCodes.BadInput, outsider.ExitCode);
        Assert.Contains("reverted: NotCreator()", outsider.StdErr);
        Assert.True(await swarm.IsAllowedAsync(byAddress.Address));
    }

    [Fact]
    public async Task A_bad_verify_merges_share_or_a_zero_objection_window_exits_3_naming_the_flag()
    {
        var dir = Directory.CreateTempSubdirectory("swarmfl-verify-flag").FullName;
        try
        {
            var node = await SwarmflProcess.RunAsync("node", "--data-dir", dir, "--rpc", hardhat.RpcUrl, "--contract", "0x000000000000000000000000000000000000dEaD",
                "--verify-merges", "half");
            Assert.Equal(ExitCodes.BadInput, node.ExitCode);
            Assert.Contains("--verify-merges: 'half' is not 'all' or a fraction in (0, 1]", node.StdErr);
        }
        finally { Directory.Delete(dir, recursive: true); }

        var keyPath = await NewKeyAsync("w.key");
        var window = await SwarmflProcess.RunAsync("swarm", "create", "--rpc", hardhat.RpcUrl, "--key", keyPath, "--genesis-model", Genesis, "--objection-window", "0");
        Assert.Equal(ExitCodes.BadInput, window.ExitCode);
        Assert.Contains("--objection-window must be positive", window.StdErr);
    }

    [Fact]
    public async Task Unreachable_rpc_exits_4_naming_the_endpoint()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var result = await SwarmflProcess.RunAsync("swarm", "show", "--rpc", url, "--contract", "0x000000000000000000000000000000000000dEaD");
        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Contains($"eth_chainId at {url}: connection refused after", result.StdErr);
    }

    [Fact]
    public async Task No_code_wrong_chain_and_a_reverting_config_exit_3_with_the_reason()
    {
        var noCode = await SwarmflProcess.RunAsync("swarm", "show", "--rpc", hardhat.RpcUrl, "--contract", "0x000000000000000000000000000000000000dEaD");
        Assert.Equal(ExitCodes.BadInput, noCode.ExitCode);
        Assert.Contains("no contract code at 0x000000000000000000000000000000000000dEaD", noCode.StdErr);

        var keyPath = await NewKeyAsync("k.key");
        var wrongChain = await SwarmflProcess.RunAsync("swarm", "create", "--rpc", hardhat.RpcUrl, "--key", keyPath, "--chain-id", "5",
            "--genesis-model", Genesis);
        Assert.Equal(ExitCodes.BadInput, wrongChain.ExitCode);
        Assert.Contains("serves chain id 31337, expected 5", wrongChain.StdErr);

        var zeroGenesis = "0x" + new string('0', 64);
        var reverted = await SwarmflProcess.RunAsync("swarm", "create", "--rpc", hardhat.RpcUrl, "--key", keyPath, "--genesis-model", zeroGenesis);
        Assert.Equal(ExitCodes.BadInput, reverted.ExitCode);
        Assert.Contains("reverted: InvalidConfig(reason: \"genesisModel must be set\")", reverted.StdErr);
    }
}
