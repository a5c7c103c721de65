using SwarmFL.Crypto;

namespace SwarmFL.P2P.Identity;

/// <summary>The local libp2p identity: a public key (whose hash is our PeerId) and the matching signer.</summary>
public interface IIdentity
{
    Libp2pPublicKey PublicKey { get; }
    PeerId PeerId { get; }
    /// <summary>Signs as libp2p's crypto spec says for the key type (secp256k1: DER ECDSA over SHA-256; Ed25519: pure EdDSA).</summary>
    byte[] Sign(ReadOnlySpan<byte> message);
}

/// <summary>A SwarmFL node's secp256k1 key as its libp2p identity.</summary>
public sealed class NodeKeyIdentity(NodeKey key) : IIdentity
{
    public NodeKey Key { get; } = key;
    public Libp2pPublicKey PublicKey => Key.PublicKey;
    public PeerId PeerId => Key.PeerId;

    public byte[] Sign(ReadOnlySpan<byte> message) => Key.SignLibp2p(message);
}

/// <summary>An Ed25519 identity (js-libp2p's default key type); SwarmFL nodes use secp256k1, tests use this to exercise both.</summary>
public sealed class Ed25519Identity : IIdentity
{
    private readonly byte[] _privateKey;

    public Ed25519Identity(byte[]? privateKey = null)
    {
        _privateKey = privateKey ?? System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var publicKey = new byte[32];
        Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.GeneratePublicKey(_privateKey, 0, publicKey, 0);
        PublicKey = new Libp2pPublicKey(Libp2pKeyType.Ed25519, publicKey);
        PeerId = PeerId.FromPublicKey(PublicKey);
    }

    public Libp2pPublicKey PublicKey { get; }
    public PeerId PeerId { get; }

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[64];
        var bytes = message.ToArray();
        Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Sign(_privateKey, 0, bytes, 0, bytes.Length, signature, 0);
        return signature;
    }
}

/// <summary>Verifies a signature made by a remote libp2p identity key.</summary>
public static class SignatureVerifier
{
    public static bool Verify(Libp2pPublicKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        switch (key.Type)
        {
            case Libp2pKeyType.Secp256k1:
                EcdsaSignature parsed;
                try { parsed = EcdsaSignature.FromDer(signature); }
                catch (Exception e) when (e is FormatException or ArgumentException) { return false; }
                return Secp256k1.Verify(key.Data, System.Security.Cryptography.SHA256.HashData(message), parsed);
            case Libp2pKeyType.Ed25519:
                if (signature.Length != 64 || key.Data.Length != 32) return false;
                var bytes = message.ToArray();
                return Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature.ToArray(), 0, key.Data, 0, bytes, 0, bytes.Length);
            default:
                return false; // RSA and ECDSA identities are not accepted
        }
    }
}
