using System.Security.Cryptography;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Noise;
using SwarmFL.P2P.Tests.Support;

namespace SwarmFL.P2P.Tests.BadInput;

public class NoiseTests
{
    /// <summary>Claims a key it cannot sign for: the signature is made by a different key.</summary>
    private sealed class ImpostorIdentity(IIdentity claimed, IIdentity signer) : IIdentity
    {
        public Libp2pPublicKey PublicKey => claimed.PublicKey;
        public PeerId PeerId => claimed.PeerId;
        public byte[] Sign(ReadOnlySpan<byte> message) => signer.Sign(message);
    }

    private static async Task<(SecureChannel Initiator, SecureChannel Responder)> HandshakeAsync(SocketPair pair, IIdentity initiator, IIdentity responder, PeerId? expected = null)
    {
        var ct = TestHosts.Timeout();
        var respond = NoiseHandshake.RespondAsync(pair.Right, responder, ct);
        var initiate = NoiseHandshake.InitiateAsync(pair.Left, initiator, expected, ct);
        return (await initiate, await respond);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Handshake_authenticates_both_key_types_and_carries_data_both_ways(bool initiatorEd, bool responderEd)
    {
        using var pair = await SocketPair.CreateAsync();
        IIdentity a = initiatorEd ? new Ed25519Identity() : new NodeKeyIdentity(NodeKey.Generate());
        IIdentity b = responderEd ? new Ed25519Identity() : new NodeKeyIdentity(NodeKey.Generate());
        var (left, right) = await HandshakeAsync(pair, a, b, expected: b.PeerId);
        Assert.Equal(b.PeerId, left.RemotePeer);
        Assert.Equal(a.PeerId, right.RemotePeer);

        // 200 KB crosses several 65535-byte frames.
        var data = RandomNumberGenerator.GetBytes(200_000);
        var send = Task.Run(async () => { await left.Stream.WriteAsync(data); await left.Stream.FlushAsync(); });
        var received = new byte[data.Length];
        await right.Stream.ReadExactlyAsync(received);
        await send;
        Assert.Equal(data, received);
        await right.Stream.WriteAsync("pong"u8.ToArray());
        await right.Stream.FlushAsync();
        var pong = new byte[4];
        await left.Stream.ReadExactlyAsync(pong);
        Assert.Equal("pong"u8.ToArray(), pong);
    }

    [Fact]
    public async Task Wrong_signature_is_refused_by_the_initiator()
    {
        using var pair = await SocketPair.CreateAsync();
        var responder = new ImpostorIdentity(new NodeKeyIdentity(NodeKey.Generate()), new NodeKeyIdentity(NodeKey.Generate()));
        var ct = TestHosts.Timeout();
        _ = NoiseHandshake.RespondAsync(pair.Right, responder, ct).ContinueWith(_ => pair.Right.Dispose());
        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.InitiateAsync(pair.Left, new NodeKeyIdentity(NodeKey.Generate()), null, ct));
        Assert.Contains("signature", error.Message);
    }

    [Fact]
    public async Task Wrong_Ed25519_signature_is_refused_by_the_responder()
    {
        using var pair = await SocketPair.CreateAsync();
        var initiator = new ImpostorIdentity(new Ed25519Identity(), new Ed25519Identity());
        var ct = TestHosts.Timeout();
        var respond = NoiseHandshake.RespondAsync(pair.Right, new NodeKeyIdentity(NodeKey.Generate()), ct);
        _ = NoiseHandshake.InitiateAsync(pair.Left, initiator, null, ct);
        Assert.Contains("signature", (await Assert.ThrowsAsync<NoiseHandshakeException>(() => respond)).Message);
    }

    [Fact]
    public async Task Unexpected_peer_is_refused_when_dialing_a_p2p_address()
    {
        using var pair = await SocketPair.CreateAsync();
        var expected = NodeKey.Generate().PeerId;
        var ct = TestHosts.Timeout();
        _ = NoiseHandshake.RespondAsync(pair.Right, new NodeKeyIdentity(NodeKey.Generate()), ct);
        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.InitiateAsync(pair.Left, new NodeKeyIdentity(NodeKey.Generate()), expected, ct));
        Assert.Contains($"expected {expected}", error.Message);
    }

    [Fact]
    public async Task Garbage_inside_the_handshake_is_refused()
    {
        using var pair = await SocketPair.CreateAsync();
        var ct = TestHosts.Timeout();
        var respond = NoiseHandshake.RespondAsync(pair.Right, new NodeKeyIdentity(NodeKey.Generate()), ct);
        // A valid-looking first message, then garbage where message 3 (s, se, payload) should be.
        await pair.Left.WriteAsync(new byte[] { 0, 32 }.Concat(RandomNumberGenerator.GetBytes(32)).ToArray(), ct);
        var message2Length = new byte[2];
        await pair.Left.ReadExactlyAsync(message2Length, ct);
        await pair.Left.ReadExactlyAsync(new byte[message2Length[0] << 8 | message2Length[1]], ct);
        await pair.Left.WriteAsync(new byte[] { 0, 100 }.Concat(RandomNumberGenerator.GetBytes(100)).ToArray(), ct);
        Assert.Contains("authentication", (await Assert.ThrowsAsync<ProtocolViolationException>(() => respond)).Message);
    }

    [Fact]
    public async Task Tampered_truncated_and_short_transport_frames_are_refused()
    {
        foreach (var corrupt in new Func<byte[], byte[]>[]
                 {
                     frame => { frame[10] ^= 1; return frame; },           // flipped ciphertext bit
                     frame => frame[..^1],                                   // truncated then closed
                     _ => [0, 5, 1, 2, 3, 4, 5],                             // shorter than the tag
                 })
        {
            using var pair = await SocketPair.CreateAsync();
            using var relay = await SocketPair.CreateAsync();
            var a = new NodeKeyIdentity(NodeKey.Generate());
            var b = new NodeKeyIdentity(NodeKey.Generate());
            var (left, right) = await HandshakeAsync(pair, a, b);
            // Capture one real frame from the sender's socket, corrupt it and feed it to the receiver.
            await left.Stream.WriteAsync("hello frame"u8.ToArray());
            await left.Stream.FlushAsync();
            var raw = new byte[2 + 11 + 16];
            await pair.Right.ReadExactlyAsync(raw);
            await pair.Left.WriteAsync(corrupt(raw));
            pair.Left.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await Assert.ThrowsAsync<ProtocolViolationException>(async () => await right.Stream.ReadAsync(new byte[100]));
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public bool Random_frames_never_decrypt(byte[] garbage)
    {
        using var pair = SocketPair.CreateAsync().GetAwaiter().GetResult();
        var (_, right) = HandshakeAsync(pair, new NodeKeyIdentity(NodeKey.Generate()), new Ed25519Identity()).GetAwaiter().GetResult();
        pair.Left.Write(garbage);
        pair.Left.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        try
        {
            var n = right.Stream.ReadAsync(new byte[70_000]).AsTask().GetAwaiter().GetResult();
            return n == 0 && garbage.Length == 0;
        }
        catch (ProtocolViolationException)
        {
            return true;
        }
    }
}

public class IdentitySigningTests
{
    [Fact]
    public void Node_key_identity_signs_deterministic_low_s_signatures_that_verify()
    {
        var key = NodeKey.Generate();
        var identity = new NodeKeyIdentity(key);
        for (var i = 0; i < 20; i++)
        {
            var message = RandomNumberGenerator.GetBytes(56);
            var signature = identity.Sign(message);
            Assert.True(Secp256k1.Verify(key.CompressedPublicKey, SHA256.HashData(message), EcdsaSignature.FromDer(signature), requireLowS: true));
            Assert.True(SignatureVerifier.Verify(key.PublicKey, message, signature));
            // RFC 6979: the same nonce as the Crypto layer's signer, so the same signature.
            Assert.Equal(key.SignLibp2p(message), signature);
            message[0] ^= 1;
            Assert.False(SignatureVerifier.Verify(key.PublicKey, message, signature));
        }
    }
}
