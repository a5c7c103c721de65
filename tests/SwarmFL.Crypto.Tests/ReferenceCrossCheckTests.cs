using System.Security.Cryptography;
using System.Text.Json;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Crypto.Tests;

/// <summary>Our secp256k1, Keccak and PeerId code against js-libp2p and ethers, run by node on the same random keys.</summary>
public class ReferenceCrossCheckTests
{
    private static List<NodeKey> RandomKeys(int count) =>
        Enumerable.Range(0, count).Select(_ => NodeKey.Generate())
            .Append(NodeKey.FromHex("0x0000000000000000000000000000000000000000000000000000000000000001"))
            .Append(NodeKey.FromHex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")) // n − 1
            .Append(NodeKey.FromHex("0x00" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(31)))) // leading 0x00 (Nethereum's EthECKey trips on it)
            .Append(NodeKey.FromHex("0x0000" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(30))))
            .ToList();

    [Fact]
    public async Task PeerIds_equal_what_js_libp2p_derives_from_the_same_keys()
    {
        var keys = RandomKeys(40);
        var stdout = await NodeScript.RunAsync("crypto/peer-ids.mjs", [], string.Join('\n', keys.Select(k => k.PrivateKeyHex())));
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(keys.Count, lines.Length);
        for (var i = 0; i < keys.Count; i++)
        {
            using var js = JsonDocument.Parse(lines[i]);
            Assert.Equal(js.RootElement.GetProperty("peerId").GetString(), keys[i].PeerId.ToString());
            Assert.Equal(js.RootElement.GetProperty("publicKeyProtobuf").GetString(), Convert.ToHexStringLower(keys[i].PublicKey.ToProtobuf()));
            Assert.Equal(js.RootElement.GetProperty("compressed").GetString(), Convert.ToHexStringLower(keys[i].CompressedPublicKey));
        }
    }

    [Fact]
    public async Task Signatures_and_addresses_equal_what_ethers_computes()
    {
        var keys = RandomKeys(40);
        var digests = keys.Select(_ => RandomNumberGenerator.GetBytes(32)).ToList();
        var input = string.Join('\n', keys.Select((k, i) => JsonSerializer.Serialize(new { key = k.PrivateKeyHex(), digest = Hex.Encode(digests[i]) })));
        var lines = (await NodeScript.RunAsync("crypto/ethers-sign.mjs", [], input)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(keys.Count, lines.Length);
        for (var i = 0; i < keys.Count; i++)
        {
            using var js = JsonDocument.Parse(lines[i]);
            var ours = keys[i].SignHash(digests[i]);
            var compact = ours.ToCompact65();
            Assert.Equal(js.RootElement.GetProperty("address").GetString(), keys[i].Address.ToString());
            Assert.Equal(js.RootElement.GetProperty("publicKey").GetString(), Hex.Encode(keys[i].UncompressedPublicKey));
            Assert.Equal(js.RootElement.GetProperty("r").GetString(), Hex.Encode(compact.AsSpan(0, 32)));
            Assert.Equal(js.RootElement.GetProperty("s").GetString(), Hex.Encode(compact.AsSpan(32, 32)));
            Assert.Equal(js.RootElement.GetProperty("v").GetInt32(), ours.RecoveryId);
        }
    }
}
