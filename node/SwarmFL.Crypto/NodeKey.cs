using System.Security.Cryptography;

namespace SwarmFL.Crypto;

/// <summary>
/// A node's one secp256k1 key. It names the node twice: as a libp2p PeerId and as an Ethereum address,
/// so the network and the chain agree on who is who without any extra binding.
/// </summary>
public sealed class NodeKey
{
    private readonly byte[] _privateKey;

    private NodeKey(byte[] privateKey)
    {
        _privateKey = privateKey;
        CompressedPublicKey = Secp256k1.PublicKeyOf(privateKey, compressed: true);
        UncompressedPublicKey = Secp256k1.PublicKeyOf(privateKey, compressed: false);
        Address = EthereumAddress.FromPublicKey(UncompressedPublicKey);
        PublicKey = new Libp2pPublicKey(Libp2pKeyType.Secp256k1, CompressedPublicKey);
        PeerId = PeerId.FromPublicKey(PublicKey);
    }

    public byte[] CompressedPublicKey { get; }

    /// <summary>0x04 ‖ x ‖ y.</summary>
    public byte[] UncompressedPublicKey { get; }

    public EthereumAddress Address { get; }
    public Libp2pPublicKey PublicKey { get; }
    public PeerId PeerId { get; }

    public static NodeKey Generate()
    {
        var candidate = new byte[Secp256k1.PrivateKeySize];
        do RandomNumberGenerator.Fill(candidate);
        while (!Secp256k1.IsValidPrivateKey(candidate));
        return new NodeKey(candidate);
    }

    public static NodeKey FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Secp256k1.PrivateKeySize)
            throw new FormatException($"a secp256k1 private key has 32 bytes, got {privateKey.Length}");
        if (!Secp256k1.IsValidPrivateKey(privateKey))
            throw new FormatException("the private key is zero or not below the curve order");
        return new NodeKey(privateKey.ToArray());
    }

    /// <summary>Parses 64 hex digits, with or without 0x.</summary>
    public static NodeKey FromHex(string hex)
    {
        if (!Hex.TryDecode(hex, out var bytes))
            throw new FormatException("the private key is not hex: expected 0x followed by 64 hex digits");
        return FromPrivateKey(bytes);
    }

    public string PrivateKeyHex() => Hex.Encode(_privateKey);

    /// <summary>Ethereum style: sign a 32-byte hash, returning r, s and the recovery id.</summary>
    public EcdsaSignature SignHash(ReadOnlySpan<byte> hash32) => Secp256k1.Sign(_privateKey, hash32);

    /// <summary>libp2p style: ECDSA over SHA-256 of the message, DER encoded.</summary>
    public byte[] SignLibp2p(ReadOnlySpan<byte> message) => Secp256k1.SignWithoutRecoveryId(_privateKey, SHA256.HashData(message)).ToDer();
}
