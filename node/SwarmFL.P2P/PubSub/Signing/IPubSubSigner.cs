using SwarmFL.Crypto;

namespace SwarmFL.P2P.PubSub.Signing;

/// <summary>The identity that authors and signs our messages.</summary>
public interface IPubSubSigner
{
    PeerId PeerId { get; }

    /// <summary>The libp2p signature of <paramref name="data"/> with the identity key.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);

    /// <summary>
    /// The protobuf public key to put in a message's <c>key</c> field, or null when the PeerId inlines the key
    /// (secp256k1 and Ed25519 PeerIds do, so receivers take it from <c>from</c>).
    /// </summary>
    byte[]? KeyField { get; }
}

/// <summary>Signs with the node's secp256k1 key: ECDSA over SHA-256, DER encoded, as libp2p does.</summary>
public sealed class NodeKeySigner(NodeKey key) : IPubSubSigner
{
    public PeerId PeerId => key.PeerId;
    public byte[] Sign(ReadOnlySpan<byte> data) => key.SignLibp2p(data);
    public byte[]? KeyField => null;
}
