using System.Security.Cryptography;

namespace SwarmFL.Crypto.Multiformats;

/// <summary>A multihash: varint code ‖ varint length ‖ digest. Only the codes SwarmFL meets are named.</summary>
public readonly record struct Multihash(ulong Code, byte[] Digest)
{
    public const ulong Identity = 0x00;
    public const ulong Sha2_256 = 0x12;

    /// <summary>libp2p inlines public keys up to this many bytes with the identity hash; longer ones are hashed.</summary>
    public const int MaxInlineKeyLength = 42;

    public static Multihash Sha256Of(ReadOnlySpan<byte> data) => new(Sha2_256, SHA256.HashData(data));

    public byte[] ToBytes()
    {
        var output = new byte[UVarint.SizeOf(Code) + UVarint.SizeOf((ulong)Digest.Length) + Digest.Length];
        var offset = UVarint.Write(Code, output);
        offset += UVarint.Write((ulong)Digest.Length, output.AsSpan(offset));
        Digest.CopyTo(output, offset);
        return output;
    }

    /// <summary>Parses exactly one multihash filling the whole input.</summary>
    public static Multihash Parse(ReadOnlySpan<byte> bytes)
    {
        var code = UVarint.Read(bytes, out var n1);
        var length = UVarint.Read(bytes[n1..], out var n2);
        var rest = bytes[(n1 + n2)..];
        if ((ulong)rest.Length != length) throw new FormatException($"multihash declares {length} digest bytes but has {rest.Length}");
        if (code == Sha2_256 && length != 32) throw new FormatException("a sha2-256 multihash has a 32-byte digest");
        return new Multihash(code, rest.ToArray());
    }

    public bool Equals(Multihash other) => Code == other.Code && Digest.AsSpan().SequenceEqual(other.Digest);
    public override int GetHashCode() => HashCode.Combine(Code, Digest.Length > 4 ? BitConverter.ToInt32(Digest, Digest.Length - 4) : 0);
}
