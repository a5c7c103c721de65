using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Org.BouncyCastle.Math.EC.Rfc7748;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Messages.Noise;

namespace SwarmFL.P2P.Noise;

/// <summary>The outcome of a handshake: the secure stream and who is on the other side (their signature was verified).</summary>
public sealed record SecureChannel(NoiseStream Stream, Libp2pPublicKey RemoteKey, PeerId RemotePeer);

/// <summary>The remote's handshake payload was invalid or it is not the peer we wanted to reach.</summary>
public sealed class NoiseHandshakeException(string message, Exception? inner = null) : ProtocolViolationException(message, inner);

/// <summary>
/// Noise_XX_25519_ChaChaPoly_SHA256 with the libp2p handshake payload (libp2p/specs noise/README.md):
/// <code>
///   -> e
///   &lt;- e, ee, s, es   + responder payload
///   -> s, se           + initiator payload
/// </code>
/// Each payload carries the libp2p identity key and its signature over "noise-libp2p-static-key:" ‖ Noise static key,
/// which binds the ephemeral Noise static key to the long-term PeerId.
/// </summary>
public static class NoiseHandshake
{
    public const string ProtocolId = "/noise";
    public const string ProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";
    public const string SignaturePrefix = "noise-libp2p-static-key:";
    private const int KeyLength = 32;
    private const int MaxPayloadLength = 16 * 1024;

    public static async Task<SecureChannel> InitiateAsync(Stream stream, IIdentity identity, PeerId? expectedRemote, CancellationToken ct)
    {
        using var state = new SymmetricState(ProtocolName);
        state.MixHash([]); // empty prologue
        var (staticPrivate, staticPublic) = NewKeyPair();
        var (ephemeralPrivate, ephemeralPublic) = NewKeyPair();

        // -> e
        state.MixHash(ephemeralPublic);
        var message1 = ephemeralPublic.Concat(state.EncryptAndHash([])).ToArray();
        await WriteMessageAsync(stream, message1, ct).ConfigureAwait(false);

        // <- e, ee, s, es
        var message2 = await ReadMessageAsync(stream, ct).ConfigureAwait(false);
        if (message2.Length < KeyLength + KeyLength + CipherState.TagSize + CipherState.TagSize)
            throw new NoiseHandshakeException($"noise message 2 is too short ({message2.Length} bytes)");
        var remoteEphemeral = message2[..KeyLength];
        state.MixHash(remoteEphemeral);
        state.MixKey(Dh(ephemeralPrivate, remoteEphemeral));
        var remoteStatic = state.DecryptAndHash(message2.AsSpan(KeyLength, KeyLength + CipherState.TagSize));
        state.MixKey(Dh(ephemeralPrivate, remoteStatic));
        var remotePayload = state.DecryptAndHash(message2.AsSpan(KeyLength + KeyLength + CipherState.TagSize));
        var (remoteKey, remotePeer) = VerifyPayload(remotePayload, remoteStatic, expectedRemote);

        // -> s, se
        var encryptedStatic = state.EncryptAndHash(staticPublic);
        state.MixKey(Dh(staticPrivate, remoteEphemeral));
        var encryptedPayload = state.EncryptAndHash(CreatePayload(identity, staticPublic));
        await WriteMessageAsync(stream, encryptedStatic.Concat(encryptedPayload).ToArray(), ct).ConfigureAwait(false);

        var (initiatorToResponder, responderToInitiator) = state.Split();
        return new SecureChannel(new NoiseStream(stream, initiatorToResponder, responderToInitiator), remoteKey, remotePeer);
    }

    public static async Task<SecureChannel> RespondAsync(Stream stream, IIdentity identity, CancellationToken ct)
    {
        using var state = new SymmetricState(ProtocolName);
        state.MixHash([]);
        var (staticPrivate, staticPublic) = NewKeyPair();
        var (ephemeralPrivate, ephemeralPublic) = NewKeyPair();

        // -> e
        var message1 = await ReadMessageAsync(stream, ct).ConfigureAwait(false);
        if (message1.Length < KeyLength) throw new NoiseHandshakeException($"noise message 1 is too short ({message1.Length} bytes)");
        var remoteEphemeral = message1[..KeyLength];
        state.MixHash(remoteEphemeral);
        state.DecryptAndHash(message1.AsSpan(KeyLength));

        // <- e, ee, s, es
        state.MixHash(ephemeralPublic);
        state.MixKey(Dh(ephemeralPrivate, remoteEphemeral));
        var encryptedStatic = state.EncryptAndHash(staticPublic);
        state.MixKey(Dh(staticPrivate, remoteEphemeral));
        var encryptedPayload = state.EncryptAndHash(CreatePayload(identity, staticPublic));
        await WriteMessageAsync(stream, ephemeralPublic.Concat(encryptedStatic).Concat(encryptedPayload).ToArray(), ct).ConfigureAwait(false);

        // -> s, se
        var message3 = await ReadMessageAsync(stream, ct).ConfigureAwait(false);
        if (message3.Length < KeyLength + 2 * CipherState.TagSize)
            throw new NoiseHandshakeException($"noise message 3 is too short ({message3.Length} bytes)");
        var remoteStatic = state.DecryptAndHash(message3.AsSpan(0, KeyLength + CipherState.TagSize));
        state.MixKey(Dh(ephemeralPrivate, remoteStatic));
        var remotePayload = state.DecryptAndHash(message3.AsSpan(KeyLength + CipherState.TagSize));
        var (remoteKey, remotePeer) = VerifyPayload(remotePayload, remoteStatic, expected: null);

        var (initiatorToResponder, responderToInitiator) = state.Split();
        return new SecureChannel(new NoiseStream(stream, responderToInitiator, initiatorToResponder), remoteKey, remotePeer);
    }

    internal static byte[] CreatePayload(IIdentity identity, ReadOnlySpan<byte> staticPublic) => new NoiseHandshakePayload
    {
        IdentityKey = ByteString.CopyFrom(identity.PublicKey.ToProtobuf()),
        IdentitySig = ByteString.CopyFrom(identity.Sign(SignedMessage(staticPublic))),
    }.ToByteArray();

    internal static byte[] SignedMessage(ReadOnlySpan<byte> staticPublic)
    {
        var prefix = Encoding.ASCII.GetBytes(SignaturePrefix);
        var message = new byte[prefix.Length + staticPublic.Length];
        prefix.CopyTo(message, 0);
        staticPublic.CopyTo(message.AsSpan(prefix.Length));
        return message;
    }

    private static (Libp2pPublicKey, PeerId) VerifyPayload(byte[] payloadBytes, byte[] remoteStatic, PeerId? expected)
    {
        NoiseHandshakePayload payload;
        Libp2pPublicKey key;
        try
        {
            payload = NoiseHandshakePayload.Parser.ParseFrom(payloadBytes);
            key = Libp2pPublicKey.FromProtobuf(payload.IdentityKey.Span);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            throw new NoiseHandshakeException($"invalid noise handshake payload: {e.Message}", e);
        }
        if (key.Type is not (Libp2pKeyType.Secp256k1 or Libp2pKeyType.Ed25519))
            throw new NoiseHandshakeException($"remote identity key type {key.Type} is not accepted");
        if (!SignatureVerifier.Verify(key, SignedMessage(remoteStatic), payload.IdentitySig.Span))
            throw new NoiseHandshakeException("remote signature over its noise static key is invalid");
        var peer = PeerId.FromPublicKey(key);
        if (expected is not null && expected != peer)
            throw new NoiseHandshakeException($"remote is {peer}, expected {expected}");
        return (key, peer);
    }

    private static (byte[] Private, byte[] Public) NewKeyPair()
    {
        var privateKey = RandomNumberGenerator.GetBytes(KeyLength);
        var publicKey = new byte[KeyLength];
        X25519.GeneratePublicKey(privateKey, 0, publicKey, 0);
        return (privateKey, publicKey);
    }

    private static byte[] Dh(byte[] privateKey, byte[] publicKey)
    {
        var shared = new byte[KeyLength];
        if (!X25519.CalculateAgreement(privateKey, 0, publicKey, 0, shared, 0))
            throw new NoiseHandshakeException("remote noise key is a low-order point");
        return shared;
    }

    private static async Task WriteMessageAsync(Stream stream, byte[] message, CancellationToken ct)
    {
        var framed = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        await stream.WriteAsync(framed, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadMessageAsync(Stream stream, CancellationToken ct)
    {
        var header = new byte[2];
        await LengthPrefixed.ReadExactlyAsync(stream, header, ct).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header);
        if (length > MaxPayloadLength + 128) throw new NoiseHandshakeException($"noise handshake message of {length} bytes is too large");
        var message = new byte[length];
        await LengthPrefixed.ReadExactlyAsync(stream, message, ct).ConfigureAwait(false);
        return message;
    }
}
