using System.Security.Cryptography;
using SwarmFL.Crypto.Multiformats;

namespace SwarmFL.Crypto;

/// <summary>
/// The content id of a model file: CIDv1 with the raw codec (0x55) and a sha2-256 multihash, printed in multibase base32
/// (<c>bafkrei…</c>). On chain it is stored as its 32-byte digest, from which the full CID follows.
/// </summary>
public readonly struct ContentId : IEquatable<ContentId>
{
    private const byte Version1 = 0x01;
    private const byte RawCodec = 0x55;
    private readonly byte[]? _digest;

    private ContentId(byte[] digest) => _digest = digest;

    public ReadOnlySpan<byte> Digest => _digest ?? new byte[32];
    public byte[] DigestBytes() => Digest.ToArray();

    public static ContentId Of(ReadOnlySpan<byte> content) => new(SHA256.HashData(content));

    public static ContentId Of(Stream content) => new(SHA256.HashData(content));

    public static ContentId FromDigest(ReadOnlySpan<byte> sha256Digest)
    {
        if (sha256Digest.Length != 32) throw new FormatException($"a sha2-256 digest has 32 bytes, got {sha256Digest.Length}");
        return new ContentId(sha256Digest.ToArray());
    }

    /// <summary>The binary CID: 0x01 0x55 0x12 0x20 ‖ digest.</summary>
    public byte[] ToBytes()
    {
        var output = new byte[36];
        output[0] = Version1;
        output[1] = RawCodec;
        output[2] = (byte)Multihash.Sha2_256;
        output[3] = 32;
        Digest.CopyTo(output.AsSpan(4));
        return output;
    }

    public static ContentId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 36 || bytes[0] != Version1 || bytes[1] != RawCodec || bytes[2] != Multihash.Sha2_256 || bytes[3] != 32)
            throw new FormatException("not a CIDv1 with the raw codec and a sha2-256 multihash");
        return new ContentId(bytes[4..].ToArray());
    }

    public static ContentId Parse(string text)
    {
        if (!TryParse(text, out var cid)) throw new FormatException($"'{text}' is not a content id: expected a base32 CIDv1 (bafkrei…)");
        return cid;
    }

    public static bool TryParse(string? text, out ContentId cid)
    {
        cid = default;
        if (string.IsNullOrEmpty(text) || text.Length < 2 || text[0] != 'b' || !Base32.TryDecode(text[1..], out var bytes)) return false;
        try { cid = FromBytes(bytes); return true; }
        catch (FormatException) { return false; }
    }

    /// <summary>True when the bytes hash to this id; callers must check before they use fetched content.</summary>
    public bool Matches(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(content, hash);
        return CryptographicOperations.FixedTimeEquals(hash, Digest);
    }

    public override string ToString() => "b" + Base32.Encode(ToBytes());
    public bool Equals(ContentId other) => Digest.SequenceEqual(other.Digest);
    public override bool Equals(object? obj) => obj is ContentId other && Equals(other);
    public override int GetHashCode() => BitConverter.ToInt32(Digest[..4]);
    public static bool operator ==(ContentId a, ContentId b) => a.Equals(b);
    public static bool operator !=(ContentId a, ContentId b) => !a.Equals(b);
}
