using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SwarmFL.Crypto;

namespace SwarmFL.Crypto.Tests;

public class Secp256k1Tests
{
    private static readonly NodeKey Key = NodeKey.Generate();

    [Property(MaxTest = 60)]
    public bool Signatures_verify_have_low_s_and_recover_the_signer(byte[] message)
    {
        var hash = Keccak256.Hash(message);
        var signature = Key.SignHash(hash);
        return Secp256k1.Verify(Key.CompressedPublicKey, hash, signature, requireLowS: true)
               && signature.S <= Secp256k1.Order / 2
               && Secp256k1.Recover(hash, signature).AsSpan().SequenceEqual(Key.UncompressedPublicKey);
    }

    [Property(MaxTest = 40)]
    public bool Signing_without_the_recovery_id_gives_the_same_r_and_s(byte[] message)
    {
        var hash = Keccak256.Hash(message);
        var full = Key.SignHash(hash);
        var bare = Secp256k1.SignWithoutRecoveryId(Hex.Decode(Key.PrivateKeyHex()), hash);
        return bare.R == full.R && bare.S == full.S;
    }

    [Fact]
    public void Signing_is_deterministic_rfc6979()
    {
        var hash = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(Key.SignHash(hash), Key.SignHash(hash));
    }

    [Fact]
    public void A_signature_does_not_verify_for_another_hash_or_key()
    {
        var hash = RandomNumberGenerator.GetBytes(32);
        var signature = Key.SignHash(hash);
        var otherHash = (byte[])hash.Clone();
        otherHash[0] ^= 1;
        Assert.False(Secp256k1.Verify(Key.CompressedPublicKey, otherHash, signature));
        Assert.False(Secp256k1.Verify(NodeKey.Generate().CompressedPublicKey, hash, signature));
    }

    [Fact]
    public void High_s_is_refused_when_low_s_is_required_but_is_mathematically_valid()
    {
        var hash = RandomNumberGenerator.GetBytes(32);
        var low = Key.SignHash(hash);
        var high = low with { S = Secp256k1.Order - low.S };
        Assert.True(Secp256k1.Verify(Key.CompressedPublicKey, hash, high));
        Assert.False(Secp256k1.Verify(Key.CompressedPublicKey, hash, high, requireLowS: true));
    }

    [Property(MaxTest = 40)]
    public bool Libp2p_der_signatures_round_trip_and_verify(byte[] message)
    {
        var der = Key.SignLibp2p(message);
        var parsed = EcdsaSignature.FromDer(der);
        return Secp256k1.Verify(Key.CompressedPublicKey, SHA256.HashData(message), parsed)
               && parsed.ToDer().AsSpan().SequenceEqual(der);
    }

    [Property(MaxTest = 300)]
    public bool Der_decoding_never_throws_anything_but_FormatException(byte[] garbage)
    {
        try { EcdsaSignature.FromDer(garbage); return true; }
        catch (FormatException) { return true; }
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x1234")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")] // the curve order itself
    [InlineData("0xzz0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")]
    public void Invalid_private_keys_are_refused_with_a_format_error(string hex)
    {
        Assert.Throws<FormatException>(() => NodeKey.FromHex(hex));
    }

    [Fact]
    public void Points_off_the_curve_are_not_public_keys()
    {
        var bad = (byte[])Key.UncompressedPublicKey.Clone();
        bad[64] ^= 1;
        Assert.False(Secp256k1.IsValidPublicKey(bad));
        Assert.Throws<FormatException>(() => EthereumAddress.FromPublicKey(bad));
    }
}
