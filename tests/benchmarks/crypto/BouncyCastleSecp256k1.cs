using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using NetBigInteger = System.Numerics.BigInteger;

using SwarmFL.Crypto;

namespace Secp256k1Bench;

/// <summary>
/// The "before" of the benchmark: SwarmFL.Crypto.Secp256k1 as it was on BouncyCastle's curve arithmetic (commit 251dc2f): deterministic RFC 6979 nonces, low-s signatures
/// (as Ethereum and libp2p require), verification and public-key recovery (SEC 1 §4.1.6).
/// </summary>
internal static class BouncyCastleSecp256k1
{
    public const int PrivateKeySize = 32;
    public const int CompressedPublicKeySize = 33;
    public const int UncompressedPublicKeySize = 65;

    private static readonly X9ECParameters Curve = ECNamedCurveTable.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BcBigInteger HalfN = Curve.N.ShiftRight(1);

    public static NetBigInteger Order { get; } = ToNet(Curve.N);

    public static bool IsValidPrivateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != PrivateKeySize) return false;
        var d = new BcBigInteger(1, key.ToArray());
        return d.SignValue > 0 && d.CompareTo(Curve.N) < 0;
    }

    /// <summary>The public key of a private key, compressed (33 bytes) or uncompressed (65 bytes, 0x04 prefix).</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey, bool compressed)
    {
        if (!IsValidPrivateKey(privateKey)) throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        var q = Domain.G.Multiply(new BcBigInteger(1, privateKey.ToArray())).Normalize();
        return q.GetEncoded(compressed);
    }

    /// <summary>Parses a compressed or uncompressed public key; throws FormatException when it is not a point on the curve.</summary>
    public static byte[] NormalizePublicKey(ReadOnlySpan<byte> publicKey, bool compressed) => DecodePoint(publicKey).GetEncoded(compressed);

    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey)
    {
        try { DecodePoint(publicKey); return true; }
        catch (FormatException) { return false; }
    }

    /// <summary>Signs a 32-byte message hash with an RFC 6979 nonce; the result has low s and the matching recovery id.</summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> hash32)
    {
        var (d, r, s) = SignLowS(privateKey, hash32);
        var publicKey = Domain.G.Multiply(d).Normalize();
        for (byte recoveryId = 0; recoveryId < 4; recoveryId++)
        {
            var candidate = RecoverPoint(hash32, r, s, recoveryId);
            if (candidate is not null && candidate.Equals(publicKey))
                return new EcdsaSignature(ToNet(r), ToNet(s), recoveryId);
        }
        throw new InvalidOperationException("no recovery id reproduces the signer's key; this cannot happen for a valid signature");
    }

    /// <summary>
    /// The same signature without the recovery id (reported as 0), for protocols that send the public key anyway
    /// (libp2p): it skips the public-key recoveries that finding the id costs, which matters on every noise handshake.
    /// </summary>
    public static EcdsaSignature SignWithoutRecoveryId(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> hash32)
    {
        var (_, r, s) = SignLowS(privateKey, hash32);
        return new EcdsaSignature(ToNet(r), ToNet(s), 0);
    }

    private static (BcBigInteger D, BcBigInteger R, BcBigInteger S) SignLowS(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32) throw new ArgumentException("ECDSA signs a 32-byte hash", nameof(hash32));
        if (!IsValidPrivateKey(privateKey)) throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        var d = new BcBigInteger(1, privateKey.ToArray());
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(d, Domain));
        var rs = signer.GenerateSignature(hash32.ToArray());
        var s = rs[1].CompareTo(HalfN) > 0 ? Curve.N.Subtract(rs[1]) : rs[1];
        return (d, rs[0], s);
    }

    /// <summary>Checks a signature of a 32-byte hash. High-s signatures are refused when <paramref name="requireLowS"/> is set.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> hash32, EcdsaSignature signature, bool requireLowS = false)
    {
        if (hash32.Length != 32) return false;
        var r = ToBc(signature.R);
        var s = ToBc(signature.S);
        if (r.SignValue <= 0 || s.SignValue <= 0 || r.CompareTo(Curve.N) >= 0 || s.CompareTo(Curve.N) >= 0) return false;
        if (requireLowS && s.CompareTo(HalfN) > 0) return false;
        ECPoint q;
        try { q = DecodePoint(publicKey); }
        catch (FormatException) { return false; }
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(q, Domain));
        return verifier.VerifySignature(hash32.ToArray(), r, s);
    }

    /// <summary>Recovers the signer's public key (uncompressed, 65 bytes) from a hash and a signature with recovery id.</summary>
    public static byte[] Recover(ReadOnlySpan<byte> hash32, EcdsaSignature signature)
    {
        if (hash32.Length != 32) throw new ArgumentException("ECDSA signs a 32-byte hash", nameof(hash32));
        var r = ToBc(signature.R);
        var s = ToBc(signature.S);
        if (r.SignValue <= 0 || s.SignValue <= 0 || r.CompareTo(Curve.N) >= 0 || s.CompareTo(Curve.N) >= 0)
            throw new FormatException("signature r or s is out of range");
        var point = RecoverPoint(hash32, r, s, signature.RecoveryId)
            ?? throw new FormatException("signature does not recover to a public key");
        return point.GetEncoded(false);
    }

    // SEC 1 v2 §4.1.6: R has x = r + j·n and the parity in the low bit of the recovery id; Q = r⁻¹(sR − eG).
    private static ECPoint? RecoverPoint(ReadOnlySpan<byte> hash32, BcBigInteger r, BcBigInteger s, byte recoveryId)
    {
        if (recoveryId > 3) return null;
        var x = r.Add(Curve.N.Multiply(BcBigInteger.ValueOf(recoveryId / 2)));
        var prime = ((FpCurve)Curve.Curve).Q;
        if (x.CompareTo(prime) >= 0) return null;

        var encoded = new byte[33];
        encoded[0] = (byte)((recoveryId & 1) == 0 ? 0x02 : 0x03);
        var xBytes = x.ToByteArrayUnsigned();
        xBytes.CopyTo(encoded, 33 - xBytes.Length);
        ECPoint bigR;
        try { bigR = Curve.Curve.DecodePoint(encoded); }
        catch (ArgumentException) { return null; }

        var e = new BcBigInteger(1, hash32.ToArray());
        var rInverse = r.ModInverse(Curve.N);
        var eNegative = BcBigInteger.Zero.Subtract(e).Mod(Curve.N);
        var q = ECAlgorithms.SumOfTwoMultiplies(Domain.G, rInverse.Multiply(eNegative).Mod(Curve.N), bigR, rInverse.Multiply(s).Mod(Curve.N)).Normalize();
        return q.IsInfinity ? null : q;
    }

    private static ECPoint DecodePoint(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length == 64) // Ethereum's raw x ‖ y form
        {
            Span<byte> prefixed = stackalloc byte[65];
            prefixed[0] = 0x04;
            publicKey.CopyTo(prefixed[1..]);
            return DecodePoint(prefixed);
        }
        if (publicKey.Length is not (CompressedPublicKeySize or UncompressedPublicKeySize))
            throw new FormatException($"a secp256k1 public key has 33 or 65 bytes, got {publicKey.Length}");
        try
        {
            var point = Curve.Curve.DecodePoint(publicKey.ToArray()).Normalize();
            if (point.IsInfinity || !point.IsValid()) throw new FormatException("public key is not a point on secp256k1");
            return point;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"public key is not a point on secp256k1: {e.Message}");
        }
    }

    private static NetBigInteger ToNet(BcBigInteger value) => new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);
    private static BcBigInteger ToBc(NetBigInteger value) => new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));
}
