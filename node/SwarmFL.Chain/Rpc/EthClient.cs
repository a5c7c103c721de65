using SwarmFL.Chain.Devnet;
using System.Numerics;
using System.Text.Json;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Rpc;

/// <summary>
/// Typed Ethereum JSON-RPC methods over a <see cref="JsonRpcClient"/>. Results the node returns in an unexpected
/// shape become a <see cref="ChainRpcException"/> naming the method, never a crash further up.
/// </summary>
public sealed class EthClient(JsonRpcClient rpc) : IDisposable
{
    public JsonRpcClient Rpc { get; } = rpc;
    public Uri Endpoint => Rpc.Endpoint;
    public RpcTrafficCounter Traffic => Rpc.Traffic;

    public Task<BigInteger> ChainIdAsync(CancellationToken ct = default) =>
        CallAsync("eth_chainId", [], Quantity.Parse, ct);

    public Task<ulong> BlockNumberAsync(CancellationToken ct = default) =>
        CallAsync("eth_blockNumber", [], Quantity.ParseUInt64, ct);

    public Task<BigInteger> GetBalanceAsync(EthereumAddress address, string block = "latest", CancellationToken ct = default) =>
        CallAsync("eth_getBalance", [address.ToString(), block], Quantity.Parse, ct);

    public Task<ulong> GetTransactionCountAsync(EthereumAddress address, string block = "pending", CancellationToken ct = default) =>
        CallAsync("eth_getTransactionCount", [address.ToString(), block], Quantity.ParseUInt64, ct);

    public Task<byte[]> GetCodeAsync(EthereumAddress address, string block = "latest", CancellationToken ct = default) =>
        CallAsync("eth_getCode", [address.ToString(), block], Quantity.ParseData, ct);

    public Task<byte[]> CallAsync(CallRequest call, string block = "latest", CancellationToken ct = default) =>
        CallAsync("eth_call", [call.ToJson(), block], Quantity.ParseData, ct);

    public Task<ulong> EstimateGasAsync(CallRequest call, CancellationToken ct = default) =>
        CallAsync("eth_estimateGas", [call.ToJson()], Quantity.ParseUInt64, ct);

    public Task<BigInteger> GasPriceAsync(CancellationToken ct = default) =>
        CallAsync("eth_gasPrice", [], Quantity.Parse, ct);

    public Task<BigInteger> MaxPriorityFeePerGasAsync(CancellationToken ct = default) =>
        CallAsync("eth_maxPriorityFeePerGas", [], Quantity.Parse, ct);

    /// <summary>eth_feeHistory: base fees of the last <paramref name="blocks"/> blocks plus the next one, and reward percentiles.</summary>
    public Task<FeeHistory> FeeHistoryAsync(int blocks, double[] rewardPercentiles, CancellationToken ct = default) =>
        CallAsync("eth_feeHistory", [Quantity.ToHex((ulong)blocks), "latest", rewardPercentiles], FeeHistory.FromJson, ct);

    public Task<byte[]> SendRawTransactionAsync(byte[] raw, CancellationToken ct = default) =>
        CallAsync("eth_sendRawTransaction", [Hex.Encode(raw)], Quantity.ParseData, ct);

    public Task<TransactionReceipt?> GetTransactionReceiptAsync(byte[] hash, CancellationToken ct = default) =>
        CallAsync("eth_getTransactionReceipt", [Hex.Encode(hash)],
            json => json.ValueKind == JsonValueKind.Null ? null : TransactionReceipt.FromJson(json), ct);

    /// <summary>Whether the node knows the transaction at all (pending or mined).</summary>
    public Task<bool> IsTransactionKnownAsync(byte[] hash, CancellationToken ct = default) =>
        CallAsync("eth_getTransactionByHash", [Hex.Encode(hash)], json => json.ValueKind == JsonValueKind.Object, ct);

    public Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken ct = default) =>
        CallAsync("eth_getLogs", [filter.ToJson()],
            json => (IReadOnlyList<LogEntry>)json.EnumerateArray().Select(LogEntry.FromJson).ToArray(), ct);

    public Task<BlockHeader?> GetBlockByNumberAsync(string block = "latest", CancellationToken ct = default) =>
        CallAsync("eth_getBlockByNumber", [block, false],
            json => json.ValueKind == JsonValueKind.Null ? null : BlockHeader.FromJson(json), ct);

    public Task<BlockHeader?> GetBlockByNumberAsync(ulong number, CancellationToken ct = default) =>
        GetBlockByNumberAsync(Quantity.ToHex(number), ct);

    // Devnet conveniences live in Devnet.DevnetChain, which refuses any chain id but the devnet's; these forward to it
    // for existing callers.

    public async Task SetBalanceAsync(EthereumAddress address, BigInteger wei, CancellationToken ct = default) =>
        await (await DevnetChain.ConnectAsync(this, "hardhat_setBalance", ct)).SetBalanceAsync(address, wei, ct);

    public async Task IncreaseTimeAsync(ulong seconds, CancellationToken ct = default) =>
        await (await DevnetChain.ConnectAsync(this, "evm_increaseTime", ct)).IncreaseTimeAsync(seconds, ct);

    public async Task MineAsync(CancellationToken ct = default) =>
        await (await DevnetChain.ConnectAsync(this, "evm_mine", ct)).MineAsync(ct);

    private async Task<T> CallAsync<T>(string method, IReadOnlyList<object?> parameters, Func<JsonElement, T> parse, CancellationToken ct)
    {
        var result = await Rpc.CallAsync(method, parameters, ct);
        try
        {
            return parse(result);
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException or OverflowException or ArgumentException)
        {
            var text = result.GetRawText();
            throw new ChainRpcException(method, Endpoint,
                $"malformed result {(text.Length > 200 ? text[..200] + "…" : text)}: {e.Message}", e);
        }
    }

    public void Dispose() => Rpc.Dispose();
}

public sealed record FeeHistory(IReadOnlyList<BigInteger> BaseFeePerGas, IReadOnlyList<IReadOnlyList<BigInteger>> Reward)
{
    internal static FeeHistory FromJson(JsonElement json) => new(
        json.GetProperty("baseFeePerGas").EnumerateArray().Select(Quantity.Parse).ToArray(),
        json.TryGetProperty("reward", out var reward)
            ? reward.EnumerateArray().Select(r => (IReadOnlyList<BigInteger>)r.EnumerateArray().Select(Quantity.Parse).ToArray()).ToArray()
            : []);
}
