using System.Numerics;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Transactions;

public abstract class TransactionSenderChainTests(ILocalChain chain)
{
    private EthClient NewClient() => new(new JsonRpcClient(chain.RpcUrl));

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
        Assert.Equal((1L, 0L, 0L, 21_000L), Counts(sender));
    }

    [Fact]
    public async Task The_gas_estimate_the_block_and_the_tip_are_asked_for_at_once_before_a_send()
    {
        using var direct = NewClient();
        var key = NodeKey.Generate();
        await TransactionSender.ConnectAsync(direct, key, expectedChainId: HardhatNode.ChainId); // funds the account
        await using var proxy = new CountingRpcProxy(chain.RpcUrl);
        using var eth = new EthClient(new JsonRpcClient(proxy.Url));
        var sender = await TransactionSender.ConnectAsync(eth, key, expectedChainId: HardhatNode.ChainId);
        proxy.Delay = TimeSpan.FromMilliseconds(300); // a remote RPC: each round trip is felt
        var before = proxy.PeakInFlight;

        var receipt = await sender.SendAndWaitAsync(new TransactionRequest(NodeKey.Generate().Address, [], Value: 1));

        Assert.True(receipt.Succeeded);
        Assert.True(before < 3, $"{before} requests at once before the send"); // the connection's own calls are one at a time
        Assert.Equal(3, proxy.PeakInFlight); // eth_estimateGas, eth_getBlockByNumber and eth_maxPriorityFeePerGas together
        Assert.Equal(1, proxy.Count("eth_estimateGas"));
        Assert.Equal(1, proxy.Count("eth_sendRawTransaction"));
    }

    /// <summary>The counters behind the node's transaction metrics: sent, reverted, re-sent, gas used.</summary>
    private static (long Sent, long Reverted, long Resent, long Gas) Counts(TransactionSender sender) =>
        (sender.Counters.Sent, sender.Counters.Reverted, sender.Counters.Resent, sender.Counters.GasUsed);

    [Fact]
    public async Task ATransactionThatRunsOutOfItsEstimatedGasIsSentOnceMoreWithTwiceTheMargin()
    {
        using var eth = NewClient();
        var config = new SwarmConfig(MinPeers: 3, CommitWindowSeconds: 600, MergeTimeoutSeconds: 30, TargetClusterSize: 2, AllowlistOnly: false,
            ModelSpecHash: Keccak256.Hash("mnist-2nn"), GenesisModel: Keccak256.Hash("genesis"), Aggregation: AggregationStrategy.FedAvg);

        // 60 % of the estimate runs out; the retry's 120 % does not. Both transactions are mined (two nonces used).
        var starved = await TransactionSender.ConnectAsync(eth, NodeKey.Generate(), HardhatNode.ChainId, options: new TransactionSenderOptions { GasMarginPercent = 60 });
        var deployed = await SwarmCoordinator.DeployAsync(starved, config);
        Assert.Equal(config.MinPeers, (await deployed.ConfigAsync()).MinPeers);
        Assert.Equal(2UL, await eth.GetTransactionCountAsync(starved.Address, "latest"));
        Assert.Equal((2L, 1L, 1L), (starved.Counters.Sent, starved.Counters.Reverted, starved.Counters.Resent));
        Assert.True(starved.Counters.GasUsed > 0);

        // 30 % then 60 %: both run out, and the error says so instead of "reverted without data".
        var hopeless = await TransactionSender.ConnectAsync(eth, NodeKey.Generate(), HardhatNode.ChainId, options: new TransactionSenderOptions { GasMarginPercent = 30 });
        var error = await Assert.ThrowsAsync<ContractRevertException>(() => SwarmCoordinator.DeployAsync(hopeless, config));
        Assert.Contains("deploy SwarmCoordinator ran out of gas at its limit of", error.Message);
        Assert.Equal(2UL, await eth.GetTransactionCountAsync(hopeless.Address, "latest"));
        Assert.Equal((2L, 2L, 1L, 0L), Counts(hopeless));

        // An explicit gas limit is the caller's decision: no second attempt. (config() reads more cold slots than 22 000 pays for.)
        var explicitLimit = await TransactionSender.ConnectAsync(eth, NodeKey.Generate(), HardhatNode.ChainId);
        error = await Assert.ThrowsAsync<ContractRevertException>(() => explicitLimit.SendAndWaitAsync(
            new TransactionRequest(deployed.Address, SwarmCoordinatorAbi.Config.EncodeCall(), GasLimit: 22_000, Operation: "config")));
        Assert.Contains("config ran out of gas at its limit of 22000", error.Message);
        Assert.Equal(1UL, await eth.GetTransactionCountAsync(explicitLimit.Address, "latest"));
        Assert.Equal((1L, 1L, 0L, 0L), Counts(explicitLimit));
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
        // (A different value keeps its transaction distinct from the restarted sender's, which it would otherwise take for its own.)
        var afterConflict = await sender.SendAndWaitAsync(new TransactionRequest(recipient, [], Value: 2));
        Assert.True(afterConflict.Succeeded);
        Assert.Equal(18UL, await eth.GetTransactionCountAsync(key.Address, "latest"));
        Assert.Equal(new BigInteger(16 + 1 + 2), await eth.GetBalanceAsync(recipient));
        Assert.Equal((17L, 0L, 1L), (sender.Counters.Sent, sender.Counters.Reverted, sender.Counters.Resent));
    }

    [Fact]
    public async Task ATransactionTheNodeAlreadyHasIsNotSentTwice()
    {
        using var eth = NewClient();
        var key = NodeKey.Generate();
        var sender = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId);
        var recipient = NodeKey.Generate().Address;
        await sender.SendAndWaitAsync(new TransactionRequest(recipient, [], Value: 1, GasLimit: 21_000));

        // As if an earlier attempt had reached the node before a transport failure: the identical signed transaction
        // (same nonce, fees and fields; RFC 6979 signatures are deterministic) is already in its pool.
        await eth.Rpc.CallAsync("evm_setAutomine", [false]);
        try
        {
            var (maxFee, tip) = await sender.EstimateFeesAsync();
            var duplicate = new Eip1559Transaction
            {
                ChainId = HardhatNode.ChainId, Nonce = 1, MaxPriorityFeePerGas = tip, MaxFeePerGas = maxFee, GasLimit = 21_000,
                To = recipient, Value = 5,
            }.Sign(key);
            await eth.SendRawTransactionAsync(duplicate.Raw);

            var sent = await sender.SendAsync(new TransactionRequest(recipient, [], Value: 5, GasLimit: 21_000));
            Assert.Equal(duplicate.HashHex, sent.HashHex);
        }
        finally
        {
            await eth.Rpc.CallAsync("evm_setAutomine", [true]);
        }
        await eth.MineAsync();
        Assert.Equal(2UL, await eth.GetTransactionCountAsync(key.Address, "latest"));
        Assert.Equal(new BigInteger(6), await eth.GetBalanceAsync(recipient));
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

[Collection(HardhatCollection.Name)]
public sealed class TransactionSenderHardhatTests(HardhatNode chain) : TransactionSenderChainTests(chain);

[Collection(AnvilCollection.Name)]
public sealed class TransactionSenderAnvilTests(AnvilNode chain) : TransactionSenderChainTests(chain);
