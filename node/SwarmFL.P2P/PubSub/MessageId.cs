using SwarmFL.Crypto;

namespace SwarmFL.P2P.PubSub;

/// <summary>
/// The id under which a message is deduplicated, cached and announced in IHAVE/IWANT. Opaque bytes; by default
/// <c>from ‖ seqno</c> as the pubsub spec describes (see <see cref="MessageIdFunctions"/>).
/// </summary>
public readonly struct MessageId : IEquatable<MessageId>
{
    private readonly byte[] _bytes;
    private readonly int _hash;

    public MessageId(ReadOnlySpan<byte> bytes) : this(bytes.ToArray()) { }

    private MessageId(byte[] owned)
    {
        _bytes = owned;
        var hash = new HashCode();
        hash.AddBytes(owned);
        _hash = hash.ToHashCode();
    }

    /// <summary>
    /// The id <c>prefix ‖ seqno</c>, built on the heap: both parts come from an unverified message and may be as large
    /// as an RPC, far too much to stage on the stack.
    /// </summary>
    internal static MessageId Concat(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> seqno)
    {
        var bytes = new byte[prefix.Length + seqno.Length];
        prefix.CopyTo(bytes);
        seqno.CopyTo(bytes.AsSpan(prefix.Length));
        return new MessageId(bytes);
    }

    public ReadOnlySpan<byte> Bytes => _bytes;
    public byte[] ToBytes() => (byte[])(_bytes ?? []).Clone();

    public bool Equals(MessageId other) => Bytes.SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => obj is MessageId other && Equals(other);
    public override int GetHashCode() => _hash;
    public override string ToString() => Hex.Encode(_bytes ?? []);
    public static bool operator ==(MessageId a, MessageId b) => a.Equals(b);
    public static bool operator !=(MessageId a, MessageId b) => !a.Equals(b);
}

public static class MessageIdFunctions
{
    /// <summary>
    /// The spec's default, also go-libp2p's: the author's PeerId bytes followed by the 8-byte sequence number. Returns
    /// null when the message lacks either (such a message fails StrictSign anyway).
    /// </summary>
    public static MessageId? FromAndSeqno(Wire.Message message)
    {
        if (!message.HasFrom || !message.HasSeqno) return null;
        return MessageId.Concat(message.From.Span, message.Seqno.Span);
    }

    /// <summary>
    /// js-libp2p's default for signed messages: the author's protobuf public key followed by the seqno (the PeerId
    /// minus its identity-multihash prefix, for inlined keys). Choose it in networks of mostly js peers, so that the ids
    /// in IHAVE/IWANT match theirs and gossip does not fetch messages twice. Null when no key can be found.
    /// </summary>
    public static MessageId? PublicKeyAndSeqno(Wire.Message message)
    {
        if (!message.HasSeqno) return null;
        byte[] key;
        if (message.HasKey) key = message.Key.ToByteArray();
        else
        {
            if (!message.HasFrom) return null;
            try { key = PeerId.FromBytes(message.From.Span).TryGetPublicKey()?.ToProtobuf() ?? []; }
            catch (FormatException) { return null; }
            if (key.Length == 0) return null;
        }
        return MessageId.Concat(key, message.Seqno.Span);
    }
}
