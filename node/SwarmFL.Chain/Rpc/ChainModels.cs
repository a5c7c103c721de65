using System.Numerics;
using System.Text.Json;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Rpc;

/// <summary>One event log as eth_getLogs and receipts return it.</summary>
public sealed record LogEntry(
    EthereumAddress Address,
    IReadOnlyList<byte[]> Topics,
    byte[] Data,
    ulong BlockNumber,
    byte[] BlockHash,
    byte[] TransactionHash,
    ulong LogIndex,
    bool Removed)
{
    internal static LogEntry FromJson(JsonElement json) => new(
        EthereumAddress.Parse(json.GetProperty("address").GetString()!),
        json.GetProperty("topics").EnumerateArray().Select(Quantity.ParseData).ToArray(),
        Quantity.ParseData(json.GetProperty("data")),
        Quantity.ParseUInt64(json.GetProperty("blockNumber")),
        Quantity.ParseData(json.GetProperty("blockHash")),
        Quantity.ParseData(json.GetProperty("transactionHash")),
        Quantity.ParseUInt64(json.GetProperty("logIndex")),
        json.TryGetProperty("removed", out var removed) && removed.ValueKind == JsonValueKind.True);
}

public sealed record TransactionReceipt(
    byte[] TransactionHash,
    bool Succeeded,
    ulong BlockNumber,
    ulong GasUsed,
    BigInteger EffectiveGasPrice,
    EthereumAddress? ContractAddress,
    IReadOnlyList<LogEntry> Logs)
{
    internal static TransactionReceipt FromJson(JsonElement json) => new(
        Quantity.ParseData(json.GetProperty("transactionHash")),
        Quantity.Parse(json.GetProperty("status")) == 1,
        Quantity.ParseUInt64(json.GetProperty("blockNumber")),
        Quantity.ParseUInt64(json.GetProperty("gasUsed")),
        json.TryGetProperty("effectiveGasPrice", out var price) && price.ValueKind == JsonValueKind.String ? Quantity.Parse(price) : BigInteger.Zero,
        json.TryGetProperty("contractAddress", out var created) && created.ValueKind == JsonValueKind.String
            ? EthereumAddress.Parse(created.GetString()!)
            : null,
        json.GetProperty("logs").EnumerateArray().Select(LogEntry.FromJson).ToArray());
}

public sealed record BlockHeader(ulong Number, byte[] Hash, ulong Timestamp, BigInteger? BaseFeePerGas, ulong GasLimit)
{
    internal static BlockHeader FromJson(JsonElement json) => new(
        Quantity.ParseUInt64(json.GetProperty("number")),
        Quantity.ParseData(json.GetProperty("hash")),
        Quantity.ParseUInt64(json.GetProperty("timestamp")),
        json.TryGetProperty("baseFeePerGas", out var fee) && fee.ValueKind == JsonValueKind.String ? Quantity.Parse(fee) : null,
        Quantity.ParseUInt64(json.GetProperty("gasLimit")));
}

/// <summary>The fields of eth_call / eth_estimateGas.</summary>
public sealed record CallRequest(EthereumAddress? To, byte[] Data, EthereumAddress? From = null, BigInteger? Value = null, ulong? Gas = null)
{
    internal Dictionary<string, string> ToJson()
    {
        var json = new Dictionary<string, string> { ["data"] = Hex.Encode(Data) };
        if (To is { } to) json["to"] = to.ToString();
        if (From is { } from) json["from"] = from.ToString();
        if (Value is { } value) json["value"] = Quantity.ToHex(value);
        if (Gas is { } gas) json["gas"] = Quantity.ToHex(gas);
        return json;
    }
}

/// <summary>
/// Which logs eth_getLogs returns: one contract's logs whose first topic is one of <see cref="Topic0"/> (any when
/// empty) and, when <see cref="Topic1"/> is set, whose second topic equals it (e.g. an indexed round number).
/// </summary>
public sealed record LogFilter(EthereumAddress Address, IReadOnlyList<byte[]> Topic0, ulong FromBlock, ulong ToBlock, byte[]? Topic1 = null)
{
    internal Dictionary<string, object> ToJson()
    {
        var json = new Dictionary<string, object>
        {
            ["address"] = Address.ToString(),
            ["fromBlock"] = Quantity.ToHex(FromBlock),
            ["toBlock"] = Quantity.ToHex(ToBlock),
        };
        object? first = Topic0.Count > 0 ? Topic0.Select(t => Hex.Encode(t)).ToArray() : null;
        if (Topic1 is not null) json["topics"] = new[] { first, Hex.Encode(Topic1) };
        else if (first is not null) json["topics"] = new[] { first };
        return json;
    }
}
