using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Network.Messages;
using SwarmFL.TestSupport;

namespace SwarmFL.Swarm.Tests.Network;

/// <summary>
/// What `join` is told by one peer, checked on a real Hardhat chain: the true answer of a registered member passes,
/// and a deployment block that is not the contract's (later or earlier), a wrong chain id or an unregistered answerer
/// is refused before the joiner trusts it.
/// </summary>
public sealed class SwarmInfoCheckTests(HardhatNode chain) : IClassFixture<HardhatNode>
{
    private static CancellationToken Cap() => new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

    private async Task<(SwarmCoordinator Swarm, NodeKey Member)> DeployWithOneMemberAsync()
    {
        var eth = new EthClient(new JsonRpcClient(chain.RpcUrl));
        var creator = await TransactionSender.ConnectAsync(eth, NodeKey.FromHex(HardhatNode.Account0PrivateKey), HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
        var config = new SwarmConfig(MinPeers: 2, CommitWindowSeconds: 600, MergeTimeoutSeconds: 300, TargetClusterSize: 2,
            AllowlistOnly: false, ModelSpecHash: new byte[32], GenesisModel: Enumerable.Repeat((byte)1, 32).ToArray(), Aggregation: AggregationStrategy.FedAvg);
        // A swarm deployed in block 1 could not be lied about "one block earlier" (0 means "not told"): deploy twice.
        await SwarmCoordinator.DeployAsync(creator, config, ct: Cap());
        var swarm = await SwarmCoordinator.DeployAsync(creator, config, ct: Cap());
        var member = NodeKey.Generate();
        var sender = await TransactionSender.ConnectAsync(eth, member, HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
        var asMember = await SwarmCoordinator.AttachAsync(eth, swarm.Address, sender, ct: Cap());
        await asMember.RegisterAsync($"/ip4/127.0.0.1/tcp/4001/p2p/{member.PeerId}", Cap());
        return (swarm, member);
    }

    private static SwarmInfo Told(SwarmCoordinator swarm, ulong block) =>
        new() { ChainId = HardhatNode.ChainId, Contract = swarm.Address.ToString(), DeploymentBlock = block };

    [Fact]
    public async Task The_true_deployment_block_passes_and_any_other_block_is_refused()
    {
        var (swarm, member) = await DeployWithOneMemberAsync();
        Assert.True(swarm.DeploymentBlock > 1);

        await SwarmInfoCheck.VerifyAsync(Told(swarm, swarm.DeploymentBlock), member.PeerId, chain.RpcUrl, null, Cap());
        // 0 is what an older node sends: the joiner then reads from genesis and trusts nothing.
        await SwarmInfoCheck.VerifyAsync(Told(swarm, 0), member.PeerId, chain.RpcUrl, null, Cap());

        // A later block would hide the swarm's creation and early members from the joiner; an earlier one is a lie too.
        foreach (var lie in new[] { swarm.DeploymentBlock + 1, swarm.DeploymentBlock - 1 })
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                SwarmInfoCheck.VerifyAsync(Told(swarm, lie), member.PeerId, chain.RpcUrl, null, Cap()));
            Assert.Contains($"deployed in block {lie}", e.Message);
        }
    }

    [Fact]
    public async Task A_wrong_chain_id_or_an_answerer_that_is_not_a_member_is_refused()
    {
        var (swarm, member) = await DeployWithOneMemberAsync();
        var wrongChain = Told(swarm, swarm.DeploymentBlock);
        wrongChain.ChainId = 1;
        var chainError = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SwarmInfoCheck.VerifyAsync(wrongChain, member.PeerId, chain.RpcUrl, null, Cap()));
        Assert.Contains("chain 1", chainError.Message);

        var stranger = NodeKey.Generate().PeerId;
        var memberError = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SwarmInfoCheck.VerifyAsync(Told(swarm, swarm.DeploymentBlock), stranger, chain.RpcUrl, null, Cap()));
        Assert.Contains("not a registered member", memberError.Message);
    }
}
