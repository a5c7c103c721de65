using System.Numerics;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Devnet;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Transactions;

/// <summary>A chain id that is not the devnet's (anvil --chain-id 1337): nothing funds itself and no devnet call is made.</summary>
public sealed class OtherChainIdTests(AnvilOtherChainNode anvil) : IClassFixture<AnvilOtherChainNode>
{
    private static readonly SwarmConfig Config = new(
        MinPeers: 3, CommitWindowSeconds: 600, MergeTimeoutSeconds: 30, TargetClusterSize: 2, AllowlistOnly: false,
        ModelSpecHash: Keccak256.Hash("mnist-2nn"), GenesisModel: Keccak256.Hash("genesis"), Aggregation: AggregationStrategy.FedAvg);

    [Fact]
    public async Task AnUnfundedKeyGetsOneMessageNamingTheAddressAndIsNotMintedEther()
    {
        using var eth = new EthClient(new JsonRpcClient(anvil.RpcUrl));
        var key = NodeKey.Generate();
        var e = await Assert.ThrowsAsync<InsufficientFundsException>(() => TransactionSender.ConnectAsync(eth, key));
        Assert.Contains($"send ether to {key.Address}", e.Message);
        Assert.Contains("chain 1337", e.Message);
        Assert.Equal(BigInteger.Zero, await eth.GetBalanceAsync(key.Address));

        Assert.Null(await DevnetChain.TryConnectAsync(eth));
        var refused = await Assert.ThrowsAsync<NotADevnetException>(() => eth.MineAsync());
        Assert.Contains("serves chain id 1337", refused.Message);
        await Assert.ThrowsAsync<NotADevnetException>(() => eth.SetBalanceAsync(key.Address, 1));
        Assert.Equal(BigInteger.Zero, await eth.GetBalanceAsync(key.Address));
    }

    [Fact]
    public async Task NodesFundedByTheHarnessDeployRegisterAndSignForThisChain()
    {
        using var eth = new EthClient(new JsonRpcClient(anvil.RpcUrl));
        var senders = new List<TransactionSender>();
        for (var i = 0; i < 3; i++)
        {
            var key = NodeKey.Generate();
            await anvil.FundAsync(key.Address.ToString(), BigInteger.Pow(10, 20));
            senders.Add(await TransactionSender.ConnectAsync(eth, key, expectedChainId: 1337, SwarmCoordinatorAbi.Errors));
        }
        var deployed = await SwarmCoordinator.DeployAsync(senders[0], Config);
        Assert.True(deployed.DeploymentBlock > 0);
        foreach (var sender in senders)
        {
            var swarm = await SwarmCoordinator.AttachAsync(eth, deployed.Address, sender, deployed.DeploymentBlock);
            await swarm.RegisterAsync($"/ip4/127.0.0.1/tcp/{4000 + senders.IndexOf(sender)}");
        }
        Assert.Equal(1UL, await deployed.CurrentRoundAsync());

        // The signature commits to chain id 1337 (EIP-155 replay protection lives in the signed hash).
        var signed = await senders[1].SendAsync(new TransactionRequest(senders[2].Address, [], Value: 7, GasLimit: 21_000));
        Assert.Equal(new BigInteger(1337), Eip1559Transaction.Decode(signed.Raw).Transaction.ChainId);
        Assert.True((await senders[1].WaitForReceiptAsync(signed.Hash)).Succeeded);
    }
}

/// <summary>A chain without EIP-1559 (anvil --hardfork berlin: blocks carry no base fee): legacy EIP-155 transactions.</summary>
public sealed class NoEip1559ChainTests(AnvilNoEip1559Node anvil) : IClassFixture<AnvilNoEip1559Node>
{
    [Fact]
    public async Task TheSenderFallsBackToLegacyEip155TransactionsThatTheChainAccepts()
    {
        using var eth = new EthClient(new JsonRpcClient(anvil.RpcUrl));
        Assert.Null((await eth.GetBlockByNumberAsync())!.BaseFeePerGas);
        var key = NodeKey.Generate();
        var sender = await TransactionSender.ConnectAsync(eth, key, expectedChainId: 31337); // the devnet chain id: funds itself
        var fees = await sender.QuoteFeesAsync();
        Assert.Equal(await eth.GasPriceAsync(), fees.GasPrice);

        var recipient = NodeKey.Generate().Address;
        var signed = await sender.SendAsync(new TransactionRequest(recipient, [], Value: 12345));
        Assert.IsType<LegacyTransaction>(signed.Transaction);
        var decoded = LegacyTransaction.Decode(signed.Raw);
        Assert.Equal(key.Address, decoded.From);
        Assert.Equal(new BigInteger(31337), decoded.Transaction.ChainId);
        var receipt = await sender.WaitForReceiptAsync(signed.Hash);
        Assert.True(receipt.Succeeded);
        Assert.Equal(new BigInteger(12345), await eth.GetBalanceAsync(recipient));
        var onChain = await eth.Rpc.CallAsync("eth_getTransactionByHash", [signed.HashHex]);
        Assert.Equal("0x0", onChain.GetProperty("type").GetString());

        // Nonces follow across transaction types too: a second send gets the next one.
        var second = await sender.SendAndWaitAsync(new TransactionRequest(recipient, [], Value: 1));
        Assert.True(second.Succeeded);
        Assert.Equal(2UL, await eth.GetTransactionCountAsync(key.Address, "latest"));
    }
}
