using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub.Signing;

/// <summary>
/// The StrictSign signature policy (pubsub spec, "Message Signing"): every message carries its author in <c>from</c>,
/// an 8-byte <c>seqno</c>, and a signature by the author's key over <c>"libp2p-pubsub:" ‖ the protobuf Message without
/// its signature and key fields</c>. The key comes from the <c>key</c> field when present (it must hash to
/// <c>from</c>), otherwise from the key inlined in the identity PeerId.
/// </summary>
public static class StrictSign
{
    public const int SeqnoLength = 8;
    private static ReadOnlySpan<byte> Prefix => "libp2p-pubsub:"u8;

    /// <summary>Builds a signed message authored by <paramref name="signer"/>.</summary>
    public static Message CreateSigned(IPubSubSigner signer, string topic, ReadOnlySpan<byte> data, ulong sequenceNumber)
    {
        var seqno = new byte[SeqnoLength];
        BinaryPrimitives.WriteUInt64BigEndian(seqno, sequenceNumber);
        var message = new Message
        {
            From = ByteString.CopyFrom(signer.PeerId.Bytes),
            Data = ByteString.CopyFrom(data),
            Seqno = ByteString.CopyFrom(seqno),
            Topic = topic,
        };
        message.Signature = ByteString.CopyFrom(signer.Sign(SigningBytes(message)));
        if (signer.KeyField is { } key) message.Key = ByteString.CopyFrom(key);
        return message;
    }

    /// <summary>The bytes a signature covers: the prefix and the message encoded without signature and key.</summary>
    public static byte[] SigningBytes(Message message)
    {
        var unsigned = message.Clone();
        unsigned.ClearSignature();
        unsigned.ClearKey();
        var output = new ArrayBufferWriter<byte>(Prefix.Length + unsigned.CalculateSize());
        output.Write(Prefix);
        unsigned.WriteTo(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Checks a received message against StrictSign; on success returns its author and sequence number.</summary>
    public static bool TryVerify(Message message, out PeerId? author, out ulong sequenceNumber, out string? error)
    {
        author = null;
        sequenceNumber = 0;
        if (!message.HasFrom) return Fail("message has no author (from)", out error);
        if (!message.HasSeqno || message.Seqno.Length != SeqnoLength) return Fail("message seqno is missing or not 8 bytes", out error);
        if (!message.HasSignature) return Fail("message is not signed", out error);

        PeerId from;
        try { from = PeerId.FromBytes(message.From.Span); }
        catch (FormatException e) { return Fail($"author is not a PeerId: {e.Message}", out error); }

        Libp2pPublicKey? key;
        if (message.HasKey)
        {
            try { key = Libp2pPublicKey.FromProtobuf(message.Key.Span); }
            catch (FormatException e) { return Fail($"key field is not a public key: {e.Message}", out error); }
            if (!from.Matches(key)) return Fail("key field does not match the author's PeerId", out error);
        }
        else
        {
            try { key = from.TryGetPublicKey(); }
            catch (FormatException e) { return Fail($"author's inlined key is invalid: {e.Message}", out error); }
            if (key is null) return Fail("author's PeerId does not inline its key and no key field was sent", out error);
        }

        var signed = SigningBytes(message);
        if (!VerifySignature(key, signed, message.Signature.Span, out error)) return false;

        author = from;
        sequenceNumber = BinaryPrimitives.ReadUInt64BigEndian(message.Seqno.Span);
        return true;
    }

    private static bool VerifySignature(Libp2pPublicKey key, byte[] signed, ReadOnlySpan<byte> signature, out string? error)
    {
        switch (key.Type)
        {
            case Libp2pKeyType.Secp256k1:
                EcdsaSignature ecdsa;
                try { ecdsa = EcdsaSignature.FromDer(signature); }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    return Fail($"secp256k1 signature is not DER: {e.Message}", out error);
                }
                if (!Secp256k1.Verify(key.Data, SHA256.HashData(signed), ecdsa)) return Fail("secp256k1 signature does not verify", out error);
                error = null;
                return true;
            case Libp2pKeyType.Ed25519:
                if (key.Data.Length != 32 || signature.Length != 64) return Fail("Ed25519 key or signature has the wrong length", out error);
                if (!Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature.ToArray(), 0, key.Data, 0, signed, 0, signed.Length))
                    return Fail("Ed25519 signature does not verify", out error);
                error = null;
                return true;
            default:
                return Fail($"{key.Type} author keys are not supported", out error);
        }
    }

    private static bool Fail(string reason, out string? error)
    {
        error = reason;
        return false;
    }
}
