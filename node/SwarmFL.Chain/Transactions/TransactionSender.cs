using System.Numerics;
using Serilog;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Transactions;

public sealed record TransactionSenderOptions
{
    /// <summary>Estimated gas is multiplied by this (in percent) so small state changes before inclusion do not run it out.</summary>
    public int GasMarginPercent { get; init; } = 125;

    /// <summary>Used when the node does not implement eth_maxPriorityFeePerGas.</summary>
    public BigInteger FallbackPriorityFee { get; init; } = 1_000_000_000;

    public TimeSpan ReceiptPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>A transaction's fees: <see cref="GasPrice"/> set means a legacy (type 0) transaction, null an EIP-1559 one.</summary>
public sealed record FeeQuote(BigInteger? GasPrice, BigInteger MaxFee, BigInteger Tip);

/// <summary>What to send: a call to <see cref="To"/> (or a deployment when null).</summary>
public sealed record TransactionRequest(EthereumAddress? To, byte[] Data, BigInteger Value = default, ulong? GasLimit = null, string Operation = "transaction");

/// <summary>
/// Signs and sends transactions from one key: EIP-1559 where the chain has a base fee, legacy EIP-155 elsewhere. Nonces are handed out under a lock, so concurrent sends in
/// this process never collide; the first send (and any send after a failure) re-reads the pending nonce from the
/// chain, so a restart or another process using the key is picked up, and "nonce too low" triggers a resync.
/// Reverts are reported as <see cref="ContractRevertException"/> with the reason decoded against
/// <see cref="KnownErrors"/>.
/// </summary>
public sealed class TransactionSender
{
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private readonly TransactionSenderOptions _options;
    private readonly ILogger _log;
    private ulong? _nextNonce;

    public TransactionSender(EthClient eth, NodeKey key, BigInteger chainId, IEnumerable<AbiError>? knownErrors = null,
        TransactionSenderOptions? options = null, ILogger? logger = null)
    {
        Eth = eth;
        Key = key;
        ChainId = chainId;
        KnownErrors = knownErrors?.ToArray() ?? [];
        _options = options ?? new TransactionSenderOptions();
        _log = (logger ?? Log.Logger).ForContext<TransactionSender>();
    }

    public EthClient Eth { get; }
    public NodeKey Key { get; }
    public BigInteger ChainId { get; }
    public IReadOnlyList<AbiError> KnownErrors { get; }
    public EthereumAddress Address => Key.Address;
    public TransactionCounters Counters { get; } = new();

    /// <summary>Checks the chain id (refusing a wrong one) and, on the devnet, funds an empty account.</summary>
    public static async Task<TransactionSender> ConnectAsync(EthClient eth, NodeKey key, BigInteger? expectedChainId = null,
        IEnumerable<AbiError>? knownErrors = null, TransactionSenderOptions? options = null, ILogger? logger = null, CancellationToken ct = default)
    {
        var chainId = await ChainChecks.RequireChainIdAsync(eth, expectedChainId, ct);
        await ChainChecks.EnsureFundedAsync(eth, key.Address, chainId, logger, ct);
        return new TransactionSender(eth, key, chainId, knownErrors, options, logger);
    }

    /// <summary>A read-only call; a revert becomes a <see cref="ContractRevertException"/>.</summary>
    public async Task<byte[]> CallAsync(EthereumAddress to, byte[] data, string operation, CancellationToken ct = default)
    {
        try
        {
            return await Eth.CallAsync(new CallRequest(to, data, Address), ct: ct);
        }
        catch (JsonRpcErrorException e) when (ContractRevertException.IsRevert(e))
        {
            throw ContractRevertException.FromRpcError(operation, e, KnownErrors);
        }
    }

    /// <summary>
    /// Sends and waits for the receipt; a failed receipt is replayed with eth_call to recover the reason.
    /// A transaction whose gas came from an estimate and that ran out of it is sent once more with a fresh estimate and
    /// twice the margin: the estimate was taken on an earlier state (another member's transaction landed in between
    /// and made this one take a costlier path, e.g. the last publication of a round opening the next one).
    /// </summary>
    public async Task<TransactionReceipt> SendAndWaitAsync(TransactionRequest request, CancellationToken ct = default)
    {
        for (var marginFactor = 1; ; marginFactor *= 2)
        {
            var (gasLimit, fees) = await PrepareAsync(request, marginFactor, ct);
            ContractRevertException failure;
            try
            {
                var signed = await SendAsync(request with { GasLimit = gasLimit }, fees, ct);
                var receipt = await WaitForReceiptAsync(signed.Hash, ct);
                if (receipt.Succeeded)
                {
                    Counters.RecordGasUsed(receipt.GasUsed);
                    return receipt;
                }
                failure = new ContractRevertException(request.Operation, await ReplayRevertAsync(request, receipt.BlockNumber, ct), signed.Hash);
            }
            catch (ContractRevertException e)
            {
                failure = e;
            }
            // Both ways a transaction fails here (the node's revert error, a failed receipt) carry its hash.
            var failed = failure.TransactionHash;
            if (failed is not null) Counters.RecordReverted();
            if (failure.Reason.IsDecoded || failed is null || !await RanOutOfGasAsync(failed, gasLimit, ct)) throw failure;
            if (request.GasLimit is not null || marginFactor > 1)
                throw new ContractRevertException(request.Operation, failure.Reason, failed, failure,
                    $"{request.Operation} ran out of gas at its limit of {gasLimit}; give it a higher gas limit");
            _log.Information("{Operation} ran out of its estimated {Gas} gas (the chain moved on since the estimate); estimating again",
                request.Operation, gasLimit);
            Counters.RecordResent();
        }
    }

    /// <summary>Out of gas consumes the whole limit; any other failure leaves some of it.</summary>
    private async Task<bool> RanOutOfGasAsync(byte[] hash, ulong gasLimit, CancellationToken ct) =>
        await Eth.GetTransactionReceiptAsync(hash, ct) is { Succeeded: false } receipt && receipt.GasUsed >= gasLimit;

    public async Task<SignedTransaction> SendAsync(TransactionRequest request, CancellationToken ct = default)
    {
        var (gasLimit, fees) = await PrepareAsync(request, 1, ct);
        return await SendAsync(request with { GasLimit = gasLimit }, fees, ct);
    }

    /// <summary>The gas limit and the fees, asked for at once: one round trip to the RPC before the send, not three.</summary>
    private async Task<(ulong GasLimit, FeeQuote Fees)> PrepareAsync(TransactionRequest request, int marginFactor, CancellationToken ct)
    {
        var fees = QuoteFeesAsync(ct);
        try
        {
            var gasLimit = request.GasLimit ?? await EstimateGasAsync(request, ct, marginFactor);
            return (gasLimit, await fees);
        }
        catch
        {
            Observe(fees);
            throw;
        }
    }

    /// <summary>A task whose result is no longer wanted: its failure, if any, is not an unobserved exception.</summary>
    private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task<SignedTransaction> SendAsync(TransactionRequest request, FeeQuote fees, CancellationToken ct)
    {
        var gasLimit = request.GasLimit!.Value;
        await _nonceLock.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                _nextNonce ??= await Eth.GetTransactionCountAsync(Address, "pending", ct);
                EthereumTransaction transaction = fees.GasPrice is { } gasPrice
                    ? new LegacyTransaction
                    {
                        ChainId = ChainId, Nonce = _nextNonce.Value, GasPrice = gasPrice, GasLimit = gasLimit,
                        To = request.To, Value = request.Value, Data = request.Data,
                    }
                    : new Eip1559Transaction
                    {
                        ChainId = ChainId, Nonce = _nextNonce.Value, MaxPriorityFeePerGas = fees.Tip, MaxFeePerGas = fees.MaxFee,
                        GasLimit = gasLimit, To = request.To, Value = request.Value, Data = request.Data,
                    };
                var signed = transaction.Sign(Key);
                try
                {
                    await Eth.SendRawTransactionAsync(signed.Raw, ct);
                    _nextNonce++;
                    Counters.RecordSent();
                    _log.Debug("Sent {Operation} {Hash} nonce {Nonce} gas {Gas}", request.Operation, signed.HashHex, signed.Transaction.Nonce, gasLimit);
                    return signed;
                }
                catch (JsonRpcErrorException e) when (IsNonceConflict(e) || IsAlreadyKnown(e))
                {
                    // A transport retry may resend a transaction the node already took: then this one is done, and
                    // signing a fresh one for the next nonce would execute the request twice.
                    if (await Eth.IsTransactionKnownAsync(signed.Hash, ct))
                    {
                        _nextNonce++;
                        Counters.RecordSent();
                        _log.Debug("{Operation} {Hash} was already accepted by the node", request.Operation, signed.HashHex);
                        return signed;
                    }
                    _nextNonce = null;
                    if (attempt >= 3) throw;
                    Counters.RecordResent();
                    _log.Information("Nonce {Nonce} rejected ({Message}); re-reading the pending nonce", signed.Transaction.Nonce, e.RpcMessage);
                }
                catch (JsonRpcErrorException e) when (ContractRevertException.IsRevert(e))
                {
                    // Hardhat's automine executes at once and reports the revert here (the failed transaction is still
                    // mined); other nodes only queue it and the receipt tells. Either way the chain knows the nonce.
                    _nextNonce = null;
                    Counters.RecordSent();
                    throw ContractRevertException.FromRpcError(request.Operation, e, KnownErrors, signed.Hash);
                }
                catch
                {
                    // We cannot know whether the node accepted it; the chain's pending count will tell next time.
                    _nextNonce = null;
                    throw;
                }
            }
        }
        finally
        {
            _nonceLock.Release();
        }
    }

    public async Task<ulong> EstimateGasAsync(TransactionRequest request, CancellationToken ct = default, int marginFactor = 1)
    {
        try
        {
            var estimate = await Eth.EstimateGasAsync(new CallRequest(request.To, request.Data, Address, request.Value), ct);
            return GasLimit.WithMargin(estimate, _options.GasMarginPercent * marginFactor);
        }
        catch (JsonRpcErrorException e) when (ContractRevertException.IsRevert(e))
        {
            throw ContractRevertException.FromRpcError(request.Operation, e, KnownErrors);
        }
    }

    /// <summary>maxFeePerGas = 2 × the latest base fee + tip: stays includable through several blocks of rising base fee.</summary>
    public async Task<(BigInteger MaxFee, BigInteger Tip)> EstimateFeesAsync(CancellationToken ct = default)
    {
        var latest = await LatestBlockAsync(ct);
        return Eip1559Fees(latest.BaseFeePerGas ?? BigInteger.Zero, await TipAsync(ct));
    }

    /// <summary>
    /// The fees of the next transaction: EIP-1559 fees where the latest block has a base fee, otherwise (a chain without
    /// EIP-1559) a legacy gas price from eth_gasPrice, sent as a type-0 EIP-155 transaction.
    /// </summary>
    public async Task<FeeQuote> QuoteFeesAsync(CancellationToken ct = default)
    {
        // The tip is asked for with the block rather than after it; a chain without EIP-1559 ignores it.
        var tip = TipAsync(ct);
        BlockHeader latest;
        try { latest = await LatestBlockAsync(ct); }
        catch
        {
            Observe(tip);
            throw;
        }
        if (latest.BaseFeePerGas is { } baseFee)
        {
            var (maxFee, priority) = Eip1559Fees(baseFee, await tip);
            return new FeeQuote(null, maxFee, priority);
        }
        Observe(tip);
        var gasPrice = await Eth.GasPriceAsync(ct);
        return new FeeQuote(gasPrice, gasPrice, 0);
    }

    private async Task<BlockHeader> LatestBlockAsync(CancellationToken ct) =>
        await Eth.GetBlockByNumberAsync("latest", ct) ?? throw new ChainRpcException("eth_getBlockByNumber", Eth.Endpoint, "no latest block");

    private static (BigInteger MaxFee, BigInteger Tip) Eip1559Fees(BigInteger baseFee, BigInteger tip) => (baseFee * 2 + tip, tip);

    private async Task<BigInteger> TipAsync(CancellationToken ct)
    {
        try
        {
            return await Eth.MaxPriorityFeePerGasAsync(ct);
        }
        catch (JsonRpcErrorException)
        {
            return _options.FallbackPriorityFee;
        }
    }

    public async Task<TransactionReceipt> WaitForReceiptAsync(byte[] hash, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + _options.ReceiptTimeout;
        while (true)
        {
            var receipt = await Eth.GetTransactionReceiptAsync(hash, ct);
            if (receipt is not null) return receipt;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"transaction {Hex.Encode(hash)} was not mined within {_options.ReceiptTimeout.TotalSeconds:0} s");
            await Task.Delay(_options.ReceiptPollInterval, ct);
        }
    }

    /// <summary>Re-runs a failed transaction as eth_call on the state before its block, which reproduces the revert data.</summary>
    private async Task<RevertReason> ReplayRevertAsync(TransactionRequest request, ulong blockNumber, CancellationToken ct)
    {
        try
        {
            await Eth.CallAsync(new CallRequest(request.To, request.Data, Address, request.Value), Quantity.ToHex(blockNumber - 1), ct);
        }
        catch (JsonRpcErrorException e) when (ContractRevertException.IsRevert(e))
        {
            return RevertReason.Decode(e.RevertData ?? [], KnownErrors);
        }
        catch (ChainRpcException e)
        {
            _log.Warning("Could not replay the failed {Operation} to find its reason: {Error}", request.Operation, e.Message);
        }
        return RevertReason.Decode([], KnownErrors);
    }

    private static bool IsAlreadyKnown(JsonRpcErrorException e) =>
        e.RpcMessage.Contains("already known", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("known transaction", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("already imported", StringComparison.OrdinalIgnoreCase);

    private static bool IsNonceConflict(JsonRpcErrorException e) =>
        e.RpcMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("nonce has already been used", StringComparison.OrdinalIgnoreCase);
}
