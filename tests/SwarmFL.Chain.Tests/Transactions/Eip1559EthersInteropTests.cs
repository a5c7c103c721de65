using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.RLP;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Transactions;

/// <summary>Signed EIP-1559 transactions byte for byte against ethers' Wallet.signTransaction.</summary>
public class Eip1559EthersInteropTests
{
    [Fact]
    public async Task RawTransactionsEqualEthersWalletSignTransaction()
    {
        var random = new Random(1559);
        var cases = new List<(NodeKey Key, Eip1559Transaction Tx)>();
        var input = new StringBuilder();
        for (var i = 0; i < 150; i++)
        {
            var key = NodeKey.Generate();
            var tip = i % 4 == 0 ? BigInteger.Zero : RandomBig(random, 1 + i % 12);
            var tx = new Eip1559Transaction
            {
                ChainId = i % 3 == 0 ? 31337 : i % 3 == 1 ? 1 : RandomBig(random, 8),
                // ethers keeps nonces as JavaScript numbers, so it only signs nonces below 2^53.
                Nonce = (ulong)(i % 5 == 0 ? 0 : random.NextInt64(1L << 53)),
                // ethers refuses a tip above the fee cap, as nodes do.
                MaxPriorityFeePerGas = tip,
                MaxFeePerGas = tip + RandomBig(random, 1 + i % 16),
                GasLimit = (ulong)random.Next(21_000, 30_000_000),
                To = i % 7 == 0 ? null : EthereumAddress.FromBytes(Bytes(random, 20)),
                Value = i % 2 == 0 ? 0 : RandomBig(random, 1 + i % 32),
                Data = Bytes(random, i % 6 == 0 ? 0 : random.Next(1, i % 10 == 0 ? 2000 : 100)),
                AccessList = i % 9 == 0
                    ? [new AccessListEntry(EthereumAddress.FromBytes(Bytes(random, 20)), [Bytes(random, 32), Bytes(random, 32)]),
                       new AccessListEntry(EthereumAddress.FromBytes(Bytes(random, 20)), [])]
                    : [],
            };
            cases.Add((key, tx));
            var json = new JsonObject
            {
                ["key"] = key.PrivateKeyHex(),
                ["tx"] = new JsonObject
                {
                    ["chainId"] = tx.ChainId.ToString(),
                    ["nonce"] = tx.Nonce.ToString(),
                    ["maxPriorityFeePerGas"] = tx.MaxPriorityFeePerGas.ToString(),
                    ["maxFeePerGas"] = tx.MaxFeePerGas.ToString(),
                    ["gasLimit"] = tx.GasLimit.ToString(),
                    ["to"] = tx.To?.ToString(),
                    ["value"] = tx.Value.ToString(),
                    ["data"] = Hex.Encode(tx.Data),
                    ["accessList"] = new JsonArray(tx.AccessList.Select(e => (JsonNode)new JsonObject
                    {
                        ["address"] = e.Address.ToString(),
                        ["storageKeys"] = new JsonArray(e.StorageKeys.Select(k => (JsonNode)JsonValue.Create(Hex.Encode(k))!).ToArray()),
                    }).ToArray()),
                },
            };
            input.AppendLine(json.ToJsonString());
        }

        var lines = (await NodeScript.RunAsync("chain/ethers-tx.mjs", [], input.ToString())).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, lines.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            using var ethers = JsonDocument.Parse(lines[i]);
            var (key, tx) = cases[i];
            var signed = tx.Sign(key);
            Assert.Equal(ethers.RootElement.GetProperty("unsignedHash").GetString(), Hex.Encode(tx.SigningHash()));
            Assert.Equal(ethers.RootElement.GetProperty("raw").GetString(), signed.RawHex);
            Assert.Equal(ethers.RootElement.GetProperty("hash").GetString(), signed.HashHex);

            var decoded = Eip1559Transaction.Decode(signed.Raw);
            Assert.Equal(key.Address, decoded.From);
            Assert.Equal(signed.RawHex, decoded.Transaction.Sign(key).RawHex);
        }
    }

    [Fact]
    public async Task LegacyEip155TransactionsEqualEthersWalletSignTransaction()
    {
        var random = new Random(155);
        var cases = new List<(NodeKey Key, LegacyTransaction Tx)>();
        var input = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            var key = NodeKey.Generate();
            var tx = new LegacyTransaction
            {
                ChainId = i % 3 == 0 ? 31337 : i % 3 == 1 ? 1 : RandomBig(random, 1 + i % 6),
                Nonce = (ulong)(i % 5 == 0 ? 0 : random.NextInt64(1L << 53)),
                GasPrice = i % 4 == 0 ? BigInteger.Zero : RandomBig(random, 1 + i % 12),
                GasLimit = (ulong)random.Next(21_000, 30_000_000),
                To = i % 7 == 0 ? null : EthereumAddress.FromBytes(Bytes(random, 20)),
                Value = i % 2 == 0 ? 0 : RandomBig(random, 1 + i % 32),
                Data = Bytes(random, i % 6 == 0 ? 0 : random.Next(1, i % 10 == 0 ? 2000 : 100)),
            };
            if (tx.ChainId.IsZero) tx = tx with { ChainId = 5 };
            cases.Add((key, tx));
            input.AppendLine(new JsonObject
            {
                ["key"] = key.PrivateKeyHex(),
                ["tx"] = new JsonObject
                {
                    ["type"] = 0,
                    ["chainId"] = tx.ChainId.ToString(),
                    ["nonce"] = tx.Nonce.ToString(),
                    ["gasPrice"] = tx.GasPrice.ToString(),
                    ["gasLimit"] = tx.GasLimit.ToString(),
                    ["to"] = tx.To?.ToString(),
                    ["value"] = tx.Value.ToString(),
                    ["data"] = Hex.Encode(tx.Data),
                },
            }.ToJsonString());
        }

        var lines = (await NodeScript.RunAsync("chain/ethers-tx.mjs", [], input.ToString())).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, lines.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            using var ethers = JsonDocument.Parse(lines[i]);
            var (key, tx) = cases[i];
            var signed = tx.Sign(key);
            Assert.Equal(ethers.RootElement.GetProperty("unsignedHash").GetString(), Hex.Encode(tx.SigningHash()));
            Assert.Equal(ethers.RootElement.GetProperty("raw").GetString(), signed.RawHex);
            Assert.Equal(ethers.RootElement.GetProperty("hash").GetString(), signed.HashHex);

            var decoded = LegacyTransaction.Decode(signed.Raw);
            Assert.Equal(key.Address, decoded.From);
            Assert.Equal(tx.ChainId, decoded.Transaction.ChainId);
            Assert.Equal(signed.RawHex, decoded.Transaction.Sign(key).RawHex);
        }
    }

    [Fact]
    public void LegacyDecodingRejectsPreEip155AndMalformedTransactions()
    {
        var key = NodeKey.Generate();
        var raw = new LegacyTransaction { ChainId = 1, Nonce = 0, GasPrice = 2, GasLimit = 21000 }.Sign(key).Raw;
        Assert.Throws<FormatException>(() => LegacyTransaction.Decode(raw[..^1]));
        Assert.Throws<FormatException>(() => LegacyTransaction.Decode([]));
        Assert.Throws<FormatException>(() => LegacyTransaction.Decode([0x02, .. raw]));
        var fields = ((RLPCollection)RLP.Decode(raw)).Select(f => RLP.EncodeElement(f.RLPData)).ToArray();
        fields[6] = RLP.EncodeElement([27]); // pre-EIP-155 v: no chain id, replayable on any chain
        var error = Assert.Throws<FormatException>(() => LegacyTransaction.Decode(RLP.EncodeList(fields)));
        Assert.Contains("EIP-155", error.Message);
    }

    [Fact]
    public void DecodingRejectsMalformedRawTransactions()
    {
        var key = NodeKey.Generate();
        var raw = new Eip1559Transaction { ChainId = 1, Nonce = 0, MaxPriorityFeePerGas = 1, MaxFeePerGas = 2, GasLimit = 21000 }.Sign(key).Raw;
        Assert.Throws<FormatException>(() => Eip1559Transaction.Decode([0x01, .. raw[1..]]));
        Assert.Throws<FormatException>(() => Eip1559Transaction.Decode(raw[..^1]));
        Assert.Throws<FormatException>(() => Eip1559Transaction.Decode([]));
    }

    private static BigInteger RandomBig(Random random, int bytes) => new(Bytes(random, bytes), isUnsigned: true, isBigEndian: true);

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
