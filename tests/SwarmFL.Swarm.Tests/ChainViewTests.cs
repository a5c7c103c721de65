using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Swarm.Tests.Fakes;
using SwarmFL.TestSupport;
using RoundPhase = SwarmFL.Swarm.Rounds.RoundPhase;

namespace SwarmFL.Swarm.Tests;

/// <summary>
/// The chain view of one node against the real contract on a real Hardhat node, counting the requests the node sends:
/// a step at a new block costs one JSON-RPC batch, and nothing is read again inside the same block.
/// </summary>
public sealed class ChainViewTests(HardhatNode hardhat) : IClassFixture<HardhatNode>
{
    private readonly SharedModelStore _store = new();

    private async Task<SwarmCoordinator> Connect(NodeKey key, EthereumAddress? contract = null, SwarmConfig? deploy = null)
    {
        var eth = new EthClient(new JsonRpcClient(hardhat.RpcUrl));
        var sender = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
        return deploy is not null
            ? await SwarmCoordinator.DeployAsync(sender, deploy)
            : await SwarmCoordinator.AttachAsync(eth, contract!.Value, sender);
    }

    /// <summary>The requests (HTTP exchanges) and calls <paramref name="read"/> sent.</summary>
    private static async Task<(long Requests, long Calls, T Result)> Counted<T>(RpcTrafficCounter traffic, Func<Task<T>> read)
    {
        var (requests, calls) = (traffic.Requests, traffic.Calls);
        var result = await read();
        return (traffic.Requests - requests, traffic.Calls - calls, result);
    }

    [Fact]
    public async Task A_step_at_a_new_block_is_one_batch_and_nothing_is_read_twice_inside_a_block()
    {
        var genesis = await _store.PutAsync(Vectors.ToBytes([0f, 0f]), default);
        var config = new SwarmConfig(MinPeers: 2, CommitWindowSeconds: 600, MergeTimeoutSeconds: 300, TargetClusterSize: 2,
            AllowlistOnly: false, ModelSpecHash: new byte[32], GenesisModel: genesis.DigestBytes(), Aggregation: AggregationStrategy.FedAvg);
        var deployed = await Connect(NodeKey.FromHex(HardhatNode.Account0PrivateKey), deploy: config);
        var (keyA, keyB) = (NodeKey.Generate(), NodeKey.Generate());
        var a = await Connect(keyA, deployed.Address);
        var b = await Connect(keyB, deployed.Address);
        await a.RegisterAsync($"/ip4/127.0.0.1/tcp/4200/p2p/{keyA.PeerId}");
        await b.RegisterAsync($"/ip4/127.0.0.1/tcp/4201/p2p/{keyB.PeerId}");

        var head = new ChainHead();
        head.Advance(await a.Eth.BlockNumberAsync());
        var chain = new ChainCoordinator(a, keyA.Address, new ChainClock(), head);
        var traffic = a.Eth.Traffic;

        // The first view knows no round yet: the round-dependent reads follow in a second batch.
        var (requests, calls, first) = await Counted(traffic, () => chain.GetRoundAsync(default));
        Assert.Equal(RoundPhase.Commit, first.Phase);
        Assert.Equal(0, first.MyCluster);
        Assert.InRange(requests, 1, 2);
        Assert.True(calls >= 5, $"{calls} calls");

        // Inside the same block: steps, event queries and the leader look-up cost nothing after the first look-up.
        (requests, _, _) = await Counted(traffic, async () =>
        {
            await chain.GetRoundAsync(default);
            await chain.GetCommitsAsync(first.Round, default);
            await chain.GetMergesAsync(first.Round, default);
            return await chain.GetLeaderAsync(first.Round, 0, default);
        });
        Assert.True(requests <= 1, $"{requests} requests inside one block");
        (requests, _, _) = await Counted(traffic, async () =>
        {
            await chain.GetRoundAsync(default);
            await chain.GetSemiGlobalsAsync(first.Round, default);
            return await chain.GetLeaderAsync(first.Round, 0, default);
        });
        Assert.Equal(0, requests);

        // A peer's commit makes a block; the follower reports it: one batch, and the events of that block once.
        var model = await _store.PutAsync(Vectors.ToBytes([1f, 2f]), default);
        await b.CommitAsync(first.Round, 0, model.DigestBytes(), 10, 0);
        head.Advance(await b.Eth.BlockNumberAsync());
        var logsBefore = traffic.CallsByMethod.GetValueOrDefault("eth_getLogs");
        (requests, _, var second) = await Counted(traffic, () => chain.GetRoundAsync(default));
        Assert.Equal(1, requests);
        Assert.Equal(1, second.Commits);
        Assert.False(second.IHaveCommitted);
        (requests, _, var commits) = await Counted(traffic, () => chain.GetCommitsAsync(first.Round, default));
        Assert.Equal(0, requests);
        Assert.Single(commits);
        Assert.Equal(1, traffic.CallsByMethod["eth_getLogs"] - logsBefore);

        // Our own commit moves the view forward without the follower; then the close; then the leader is in the view.
        var own = await _store.PutAsync(Vectors.ToBytes([3f, 4f]), default);
        await chain.CommitAsync(first.Round, 0, own, 10, 0, default);
        (requests, _, var third) = await Counted(traffic, () => chain.GetRoundAsync(default));
        Assert.Equal(1, requests);
        Assert.True(third.IHaveCommitted);
        Assert.Equal(2, third.Commits);
        Assert.True(await chain.TryCloseAsync(first.Round, default));
        (requests, _, var electing) = await Counted(traffic, () => chain.GetRoundAsync(default));
        Assert.Equal(1, requests);
        Assert.Equal(RoundPhase.Election, electing.Phase);
        Assert.Equal(electing.Block + 1, electing.ElectionBlock); // the close's block is the view's; the election block is next
        Assert.True(await chain.TryDrawLeadersAsync(first.Round, default)); // makes the election block: nothing drawn yet
        Assert.True(await chain.TryDrawLeadersAsync(first.Round, default));
        (requests, _, var merging) = await Counted(traffic, () => chain.GetRoundAsync(default));
        Assert.Equal(1, requests);
        Assert.Equal(RoundPhase.Merge, merging.Phase);
        (requests, _, var leader) = await Counted(traffic, () => chain.GetLeaderAsync(first.Round, 0, default));
        Assert.Equal(0, requests);
        Assert.NotNull(leader);
        Assert.Contains(leader.Leader, new[] { keyA.Address, keyB.Address });
    }
}
