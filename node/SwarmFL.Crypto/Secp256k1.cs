using NBitcoin.Secp256k1;
using NetBigInteger = System.Numerics.BigInteger;

namespace SwarmFL.Crypto;

/// <summary>
/// ECDSA over secp256k1 (SEC 2) on NBitcoin.Secp256k1, the C# port of Bitcoin Core's libsecp256k1: deterministic
/// RFC 6979 nonces, low-s signatures (as Ethereum and libp2p require), verification and public-key recovery.
/// </summary>
/// <remarks>
/// libsecp256k1 refuses high-s signatures in verification; this API accepts them unless <c>requireLowS</c> is set
/// (a high-s signature is mathematically valid, and callers such as libp2p peers may send one), so s is normalised
/// to the low half before the library sees it. Private keys travel as spans, never as integers, so a key whose first
/// byte is 0x00 is signed with exactly like any other.
/// </remarks>
public static class Secp256k1
{
    public const int PrivateKeySize = 32;
    public const int CompressedPublicKeySize = 33;
    public const int UncompressedPublicKeySize = 65;

    public static NetBigInteger Order { get; } = NetBigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
    private static readonly NetBigInteger HalfOrder = Order >> 1;

    public static bool IsValidPrivateKey(ReadOnlySpan<byte> key) => key.Length == PrivateKeySize && ECPrivKey.TryCreate(key, out _);

    /// <summary>The public key of a private key, compressed (33 bytes) or uncompressed (65 bytes, 0x04 prefix).</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey, bool compressed) => PrivateKey(privateKey).CreatePubKey().ToBytes(compressed);

    /// <summary>Parses a compressed or uncompressed public key; throws FormatException when it is not a point on the curve.</summary>
    public static byte[] NormalizePublicKey(ReadOnlySpan<byte> publicKey, bool compressed) => DecodePoint(publicKey).ToBytes(compressed);

    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey) => TryDecodePoint(publicKey, out _);

    /// <summary>Signs a 32-byte message hash with an RFC 6979 nonce; the result has low s and the matching recovery id.</summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> hash32)
    {
        RequireHash(hash32);
        if (!PrivateKey(privateKey).TrySignRecoverable(hash32, out var signature) || signature is null)
            throw new InvalidOperationException("secp256k1 signing failed; this cannot happen for a valid key and hash");
        Span<byte> compact = stackalloc byte[64];
        signature.WriteToSpanCompact(compact, out var recoveryId);
        return new EcdsaSignature(ReadScalar(compact[..32]), ReadScalar(compact[32..]), (byte)recoveryId);
    }

    /// <summary>
    /// The same signature without the recovery id (reported as 0), for protocols that send the public key anyway
    /// (libp2p): it skips the work that finding the id costs, which matters on every noise handshake and gossip message.
    /// </summary>
    public static EcdsaSignature SignWithoutRecoveryId(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> hash32)
    {
        RequireHash(hash32);
        var signature = PrivateKey(privateKey).SignECDSARFC6979(hash32);
        Span<byte> compact = stackalloc byte[64];
        signature.WriteCompactToSpan(compact);
        return new EcdsaSignature(ReadScalar(compact[..32]), ReadScalar(compact[32..]), 0);
    }

    /// <summary>Checks a signature of a 32-byte hash. High-s signatures are refused when <paramref name="requireLowS"/> is set.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> hash32, EcdsaSignature signature, bool requireLowS = false)
    {
        if (hash32.Length != 32 || !InRange(signature)) return false;
        var s = signature.S;
        if (s > HalfOrder)
        {
            if (requireLowS) return false;
            s = Order - s;
        }
        Span<byte> compact = stackalloc byte[64];
        EcdsaSignature.WriteBigEndian32(signature.R, compact[..32]);
        EcdsaSignature.WriteBigEndian32(s, compact[32..]);
        if (!SecpECDSASignature.TryCreateFromCompact(compact, out var parsed) || parsed is null) return false;
        return TryDecodePoint(publicKey, out var key) && key.SigVerify(parsed, hash32);
    }

    /// <summary>Recovers the signer's public key (uncompressed, 65 bytes) from a hash and a signature with recovery id.</summary>
    public static byte[] Recover(ReadOnlySpan<byte> hash32, EcdsaSignature signature)
    {
        RequireHash(hash32);
        if (!InRange(signature)) throw new FormatException("signature r or s is out of range");
        if (signature.RecoveryId > 3) throw new FormatException($"recovery id {signature.RecoveryId} is out of range");
        Span<byte> compact = stackalloc byte[64];
        EcdsaSignature.WriteBigEndian32(signature.R, compact[..32]);
        EcdsaSignature.WriteBigEndian32(signature.S, compact[32..]);
        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(compact, signature.RecoveryId, out var parsed) || parsed is null
            || !ECPubKey.TryRecover(Context.Instance, parsed, hash32, out var key) || key is null)
            throw new FormatException("signature does not recover to a public key");
        return key.ToBytes(false);
    }

    private static bool InRange(EcdsaSignature signature) =>
        signature.R.Sign > 0 && signature.S.Sign > 0 && signature.R < Order && signature.S < Order;

    private static void RequireHash(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32) throw new ArgumentException("ECDSA signs a 32-byte hash", nameof(hash32));
    }

    private static ECPrivKey PrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySize || !ECPrivKey.TryCreate(privateKey, out var key) || key is null)
            throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        return key;
    }

    private static ECPubKey DecodePoint(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length is not (64 or CompressedPublicKeySize or UncompressedPublicKeySize))
            throw new FormatException($"a secp256k1 public key has 33 or 65 bytes, got {publicKey.Length}");
        return TryDecodePoint(publicKey, out var key) ? key : throw new FormatException("public key is not a point on secp256k1");
    }

    private static bool TryDecodePoint(ReadOnlySpan<byte> publicKey, out ECPubKey key)
    {
        key = null!;
        if (publicKey.Length == 64) // Ethereum's raw x ‖ y form
        {
            Span<byte> prefixed = stackalloc byte[65];
            prefixed[0] = 0x04;
            publicKey.CopyTo(prefixed[1..]);
            return TryDecodePoint(prefixed, out key);
        }
        if (publicKey.Length is not (CompressedPublicKeySize or UncompressedPublicKeySize)) return false;
        if (!ECPubKey.TryCreate(publicKey, Context.Instance, out _, out var parsed) || parsed is null) return false;
        key = parsed;
        return true;
    }

    private static NetBigInteger ReadScalar(ReadOnlySpan<byte> bytes32) => new(bytes32, isUnsigned: true, isBigEndian: true);
}
