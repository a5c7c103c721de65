using System.Numerics;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Transactions;

[Collection(HardhatCollection.Name)]
public class TransactionSenderHardhatTests(HardhatNode hardhat)
{
    private EthClient NewClient() => new(new JsonRpcClient(hardhat.RpcUrl));

    [Fact]
    public async Task AnEmptyDevnetAccountFundsItselfAndTransfersValue()
    {
        using var eth = NewClient();
        var key = NodeKey.Generate();
        Assert.Equal(BigInteger.Zero, await eth.GetBalanceAsync(key.Address));
        var sender = await TransactionSender.ConnectAsync(eth, key, expectedChainId: HardhatNode.ChainId);
        Assert.Equal(ChainChecks.DevnetFunding, await eth.GetBalanceAsync(key.Address));

        var recipient = NodeKey.Generate().Address;
        var receipt = await sender.SendAndWaitAsync(new TransactionRequest(recipient, [], Value: 12345));
        Assert.True(receipt.Succeeded);
        Assert.Equal(new BigInteger(12345), await eth.GetBalanceAsync(recipient));
    }

    [Fact]
    public async Task ConcurrentSendsGetConsecutiveNoncesAndARestartContinues()
    {
        using var eth = NewClient();
        var key = NodeKey.Generate();
        var sender = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId);
        var recipient = NodeKey.Generate().Address;

        var sent = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => sender.SendAsync(new TransactionRequest(recipient, [], Value: 1))));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (ulong)i), sent.Select(s => s.Transaction.Nonce).Order());
        foreach (var s in sent) Assert.True((await sender.WaitForReceiptAsync(s.Hash)).Succeeded);

        // A second sender for the same key (a restarted process) reads the pending nonce from the chain.
        var restarted = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId);
        var next = await restarted.SendAsync(new TransactionRequest(recipient, [], Value: 1));
        Assert.Equal(16UL, next.Transaction.Nonce);
        await restarted.WaitForReceiptAsync(next.Hash);

        // The first sender's cached nonce is now stale: "nonce too low" makes it resync instead of failing.
        var afterConflict = await sender.SendAndWaitAsync(new TransactionRequest(recipient, [], Value: 1));
        Assert.True(afterConflict.Succeeded);
        Assert.Equal(18UL, await eth.GetTransactionCountAsync(key.Address, "latest"));
        Assert.Equal(new BigInteger(18), await eth.GetBalanceAsync(recipient));
    }

    [Fact]
    public async Task AWrongChainIdIsRefused()
    {
        using var eth = NewClient();
        var e = await Assert.ThrowsAsync<WrongChainException>(() => TransactionSender.ConnectAsync(eth, NodeKey.Generate(), expectedChainId: 1));
        Assert.Contains("serves chain id 31337, expected 1", e.Message);
    }

    [Fact]
    public async Task AnAddressWithoutCodeIsRefused()
    {
        using var eth = NewClient();
        var empty = NodeKey.Generate().Address;
        var e = await Assert.ThrowsAsync<NoContractCodeException>(() => SwarmCoordinator.AttachAsync(eth, empty));
        Assert.Contains($"no contract code at {empty}", e.Message);
    }

    [Fact]
    public async Task OffTheDevnetAnEmptyAccountIsAnErrorNamingTheAddress()
    {
        using var eth = NewClient();
        var key = NodeKey.Generate();
        var e = await Assert.ThrowsAsync<InsufficientFundsException>(() => ChainChecks.EnsureFundedAsync(eth, key.Address, chainId: 11155111));
        Assert.Contains(key.Address.ToString(), e.Message);
        Assert.Equal(BigInteger.Zero, await eth.GetBalanceAsync(key.Address));
    }

    [Fact]
    public async Task FeesFollowTheBaseFeeAndBlocksAndLogsAreReadable()
    {
        using var eth = NewClient();
        var sender = new TransactionSender(eth, NodeKey.Generate(), HardhatNode.ChainId);
        var (maxFee, tip) = await sender.EstimateFeesAsync();
        var latest = await eth.GetBlockByNumberAsync();
        Assert.NotNull(latest);
        Assert.Equal(latest!.BaseFeePerGas!.Value * 2 + tip, maxFee);
        var history = await eth.FeeHistoryAsync(2, [50]);
        Assert.NotEmpty(history.BaseFeePerGas);
        Assert.True(await eth.GasPriceAsync() > 0);
    }
}
