using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Devnet;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Adapters;
using SwarmFL.TestSupport;

namespace SwarmFL.Swarm.Tests;

/// <summary>
/// Reorgs forced on a real anvil (evm_snapshot / evm_revert, then other blocks on top), read through the node's event
/// log and round view with a confirmation depth of 2: what the node sees always equals a fresh read of the chain.
/// </summary>
public sealed class ReorgTests(AnvilNode anvil) : IClassFixture<AnvilNode>
{
    private const ulong Depth = 2;

    private static readonly SwarmConfig Config = new(
        MinPeers: 3, CommitWindowSeconds: 600, MergeTimeoutSeconds: 300, TargetClusterSize: 3, AllowlistOnly: false,
        ModelSpecHash: new byte[32], GenesisModel: Keccak256.Hash("genesis"), Aggregation: AggregationStrategy.FedAvg);

    // After a revert the chain forgets nonces a sender counted, so every step talks through fresh senders.
    private async Task<SwarmCoordinator> AsAsync(NodeKey key, SwarmCoordinator deployed)
    {
        var eth = new EthClient(new JsonRpcClient(anvil.RpcUrl));
        var sender = await TransactionSender.ConnectAsync(eth, key, DevnetChain.ChainId, SwarmCoordinatorAbi.Errors);
        return await SwarmCoordinator.AttachAsync(eth, deployed.Address, sender, deployed.DeploymentBlock);
    }

    private async Task MineOtherBlocksAsync(int count)
    {
        var eth = new EthClient(new JsonRpcClient(anvil.RpcUrl));
        var sender = await TransactionSender.ConnectAsync(eth, NodeKey.Generate(), DevnetChain.ChainId);
        for (var i = 0; i < count; i++) // each its own block with a transfer, so no block hash matches the abandoned branch
            await sender.SendAndWaitAsync(new TransactionRequest(NodeKey.Generate().Address, [], Value: i + 1, GasLimit: 21_000));
    }

    private static async Task<List<string>> TruthAsync(SwarmCoordinator contract) =>
        (await contract.GetEventsAsync()).Select(Describe).ToList();

    private static string Describe(SwarmEvent e) => $"{e.GetType().Name}@{e.Log.BlockNumber}:{Hex.Encode(e.Log.TransactionHash)}";

    [Fact]
    public async Task A_reorg_inside_and_one_below_the_confirmation_depth_leave_the_nodes_view_equal_to_the_chain()
    {
        using var eth = new EthClient(new JsonRpcClient(anvil.RpcUrl));
        var devnet = await DevnetChain.ConnectAsync(eth, "evm_snapshot");
        var creator = await TransactionSender.ConnectAsync(eth, NodeKey.FromHex(AnvilNode.Account0PrivateKey), DevnetChain.ChainId, SwarmCoordinatorAbi.Errors);
        var deployed = await SwarmCoordinator.DeployAsync(creator, Config);
        var keys = Enumerable.Range(0, 3).Select(_ => NodeKey.Generate()).ToList();
        foreach (var key in keys) await (await AsAsync(key, deployed)).RegisterAsync($"/ip4/127.0.0.1/tcp/4000/p2p/{key.PeerId}");
        Assert.Equal(1UL, await deployed.CurrentRoundAsync());

        var member = await AsAsync(keys[0], deployed);
        var log = new SwarmEventLog(deployed, Depth);
        var view = new ChainCoordinator(member, keys[0].Address, null, confirmations: Depth);
        Assert.Equal(await TruthAsync(deployed), (await log.RefreshAsync(default)).Select(Describe));

        // 1. A reorg younger than the depth: the commit is seen at once, and unseen once its block is gone.
        var shallow = await devnet.SnapshotAsync();
        await member.CommitAsync(1, 0, Keccak256.Hash("abandoned"), 10, 900_000);
        Assert.Contains((await log.RefreshAsync(default)).OfType<ModelCommitted>(), c => c.Member == keys[0].Address);
        Assert.True((await view.GetRoundAsync(default)).IHaveCommitted);
        Assert.True(await devnet.RevertAsync(shallow));
        await MineOtherBlocksAsync(3);
        Assert.Empty((await log.RefreshAsync(default)).OfType<ModelCommitted>());
        var afterShallow = await view.GetRoundAsync(default);
        Assert.False(afterShallow.IHaveCommitted);
        Assert.Equal(0, afterShallow.Commits);
        Assert.Equal(await TruthAsync(deployed), (await log.RefreshAsync(default)).Select(Describe));

        // The node commits again on the surviving branch: exactly that commit, once.
        await (await AsAsync(keys[0], deployed)).CommitAsync(1, 0, Keccak256.Hash("kept"), 10, 900_000);
        var commits = (await log.RefreshAsync(default)).OfType<ModelCommitted>().ToList();
        Assert.Equal(Keccak256.Hash("kept"), Assert.Single(commits).ModelId);

        // 2. A reorg deeper than the depth: the second member's commit became final, then its branch is abandoned.
        var deep = await devnet.SnapshotAsync();
        await (await AsAsync(keys[1], deployed)).CommitAsync(1, 0, Keccak256.Hash("final-then-gone"), 10, 900_000);
        await MineOtherBlocksAsync((int)Depth + 2);
        Assert.Equal(2, (await log.RefreshAsync(default)).OfType<ModelCommitted>().Count());
        Assert.True(await devnet.RevertAsync(deep));
        await MineOtherBlocksAsync((int)Depth + 4);
        var afterDeep = await log.RefreshAsync(default);
        Assert.Equal(Keccak256.Hash("kept"), Assert.Single(afterDeep.OfType<ModelCommitted>()).ModelId);
        Assert.Equal(await TruthAsync(deployed), afterDeep.Select(Describe));
        Assert.Equal(1, (await view.GetRoundAsync(default)).Commits);
    }
}
