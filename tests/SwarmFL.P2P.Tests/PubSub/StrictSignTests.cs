using FsCheck.Xunit;
using Google.Protobuf;
using Org.BouncyCastle.Math.EC.Rfc8032;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Signing;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.Tests.PubSub;

public class StrictSignTests
{
    /// <summary>An Ed25519 identity, as js-libp2p peers have by default.</summary>
    internal sealed class Ed25519Signer : IPubSubSigner
    {
        private readonly byte[] _privateKey = new byte[Ed25519.SecretKeySize];
        private readonly byte[] _publicKey = new byte[Ed25519.PublicKeySize];

        public Ed25519Signer(bool sendKeyField = false)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(_privateKey);
            Ed25519.GeneratePublicKey(_privateKey, 0, _publicKey, 0);
            PublicKey = new Libp2pPublicKey(Libp2pKeyType.Ed25519, _publicKey);
            PeerId = PeerId.FromPublicKey(PublicKey);
            KeyField = sendKeyField ? PublicKey.ToProtobuf() : null;
        }

        public Libp2pPublicKey PublicKey { get; }
        public PeerId PeerId { get; }
        public byte[]? KeyField { get; }

        public byte[] Sign(ReadOnlySpan<byte> data)
        {
            var signature = new byte[Ed25519.SignatureSize];
            Ed25519.Sign(_privateKey, 0, data.ToArray(), 0, data.Length, signature, 0);
            return signature;
        }
    }

    private static readonly NodeKey Key = NodeKey.Generate();

    [Fact]
    public void A_secp256k1_signed_message_verifies_and_names_its_author()
    {
        var message = StrictSign.CreateSigned(new NodeKeySigner(Key), "models", "hash"u8, 42);
        Assert.True(StrictSign.TryVerify(message, out var author, out var seqno, out var error), error);
        Assert.Equal(Key.PeerId, author);
        Assert.Equal(42UL, seqno);
        Assert.False(message.HasKey); // the secp256k1 PeerId inlines the key
        Assert.Equal(8, message.Seqno.Length);
    }

    [Fact]
    public void The_signature_covers_the_prefixed_message_without_signature_and_key()
    {
        var message = StrictSign.CreateSigned(new NodeKeySigner(Key), "t", [1, 2, 3], 1);
        var unsigned = new Message { From = message.From, Data = message.Data, Seqno = message.Seqno, Topic = message.Topic };
        byte[] expected = [.. "libp2p-pubsub:"u8.ToArray(), .. unsigned.ToByteArray()];
        Assert.Equal(expected, StrictSign.SigningBytes(message));
        var der = EcdsaSignature.FromDer(message.Signature.Span);
        Assert.True(Secp256k1.Verify(Key.CompressedPublicKey, System.Security.Cryptography.SHA256.HashData(expected), der));
    }

    public static TheoryData<string, Action<Message>> Tamperings => new()
    {
        { "data changed", m => m.Data = ByteString.CopyFromUtf8("other") },
        { "seqno changed", m => m.Seqno = ByteString.CopyFrom(0, 0, 0, 0, 0, 0, 0, 9) },
        { "topic changed", m => m.Topic = "elsewhere" },
        { "author changed", m => m.From = ByteString.CopyFrom(NodeKey.Generate().PeerId.Bytes) },
        { "signature removed", m => m.ClearSignature() },
        { "signature garbage", m => m.Signature = ByteString.CopyFrom(1, 2, 3) },
        { "seqno too short", m => m.Seqno = ByteString.CopyFrom(1) },
        { "author removed", m => m.ClearFrom() },
        { "author not a PeerId", m => m.From = ByteString.CopyFrom(0xFF, 0xFF) },
        { "key field of someone else", m => m.Key = ByteString.CopyFrom(NodeKey.Generate().PublicKey.ToProtobuf()) },
        { "key field garbage", m => m.Key = ByteString.CopyFrom(7, 7, 7) },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Tampered_messages_fail_with_a_reason(string what, Action<Message> tamper)
    {
        var message = StrictSign.CreateSigned(new NodeKeySigner(Key), "t", "payload"u8, 5);
        tamper(message);
        Assert.False(StrictSign.TryVerify(message, out var author, out _, out var error), what);
        Assert.Null(author);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Property(MaxTest = 40)]
    public bool Any_signed_message_verifies_and_any_flipped_bit_in_its_encoding_breaks_it(byte[] data, ulong seqno, FsCheck.NonEmptyString topic, int position)
    {
        var message = StrictSign.CreateSigned(new NodeKeySigner(Key), topic.Get, data ?? [], seqno);
        if (!StrictSign.TryVerify(message, out var author, out var verifiedSeqno, out _) || author != Key.PeerId || verifiedSeqno != seqno) return false;

        var encoded = message.ToByteArray();
        var index = (int)((uint)position % (uint)encoded.Length);
        encoded[index] ^= (byte)(1 << (position & 7));
        Message tampered;
        try { tampered = Message.Parser.ParseFrom(encoded); }
        catch (InvalidProtocolBufferException) { return true; } // no longer a message at all
        return !StrictSign.TryVerify(tampered, out _, out _, out _);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ed25519_authors_verify_with_the_key_inlined_or_in_the_key_field(bool sendKeyField)
    {
        var signer = new Ed25519Signer(sendKeyField);
        var message = StrictSign.CreateSigned(signer, "t", "x"u8, 3);
        Assert.Equal(sendKeyField, message.HasKey);
        Assert.True(StrictSign.TryVerify(message, out var author, out _, out var error), error);
        Assert.Equal(signer.PeerId, author);

        message.Data = ByteString.CopyFromUtf8("y");
        Assert.False(StrictSign.TryVerify(message, out _, out _, out error));
        Assert.Contains("Ed25519", error);
    }
}
