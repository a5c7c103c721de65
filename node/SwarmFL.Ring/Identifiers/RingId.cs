using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using SwarmFL.Crypto;

namespace SwarmFL.Ring.Identifiers;

/// <summary>
/// A position on the 2²⁵⁶ Chord identifier circle: an unsigned 256-bit integer, big-endian when written as bytes.
/// Nodes sit at <c>sha256(peerIdBytes)</c> (docs/clusters.md: the contract computes the same number); a model sits at the
/// sha2-256 digest of its file, i.e. its content id's digest, which is already a uniformly distributed 256-bit value.
/// All arithmetic wraps modulo 2²⁵⁶.
/// </summary>
public readonly struct RingId : IEquatable<RingId>, IComparable<RingId>
{
    public const int Bits = 256;
    public const int ByteLength = 32;

    private readonly UInt128 _high;
    private readonly UInt128 _low;

    private RingId(UInt128 high, UInt128 low)
    {
        _high = high;
        _low = low;
    }

    public static RingId Zero => default;
    public static RingId MaxValue => new(UInt128.MaxValue, UInt128.MaxValue);

    public static RingId FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength) throw new FormatException($"a ring id has {ByteLength} bytes, got {bytes.Length}");
        return new RingId(BinaryPrimitives.ReadUInt128BigEndian(bytes[..16]), BinaryPrimitives.ReadUInt128BigEndian(bytes[16..]));
    }

    /// <summary>The ring position of a peer: sha256 of its PeerId multihash bytes (docs/clusters.md).</summary>
    public static RingId Of(PeerId peer)
    {
        Span<byte> hash = stackalloc byte[ByteLength];
        SHA256.HashData(peer.Bytes, hash);
        return FromBigEndian(hash);
    }

    /// <summary>The ring position of a model: its content id's sha2-256 digest read as a big-endian number.</summary>
    public static RingId Of(ContentId content) => FromBigEndian(content.Digest);

    /// <summary>2^exponent, for finger starts n + 2^i (0 ≤ i &lt; 256).</summary>
    public static RingId PowerOfTwo(int exponent)
    {
        if ((uint)exponent >= Bits) throw new ArgumentOutOfRangeException(nameof(exponent), "0 ≤ exponent < 256");
        return exponent < 128 ? new RingId(0, UInt128.One << exponent) : new RingId(UInt128.One << (exponent - 128), 0);
    }

    public static RingId operator +(RingId a, RingId b)
    {
        var low = unchecked(a._low + b._low);
        var carry = low < a._low ? UInt128.One : UInt128.Zero;
        return new RingId(unchecked(a._high + b._high + carry), low);
    }

    public static RingId operator -(RingId a, RingId b)
    {
        var low = unchecked(a._low - b._low);
        var borrow = a._low < b._low ? UInt128.One : UInt128.Zero;
        return new RingId(unchecked(a._high - b._high - borrow), low);
    }

    /// <summary>How far clockwise <paramref name="to"/> lies from <paramref name="from"/>: (to − from) mod 2²⁵⁶.</summary>
    public static RingId Distance(RingId from, RingId to) => to - from;

    public void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128BigEndian(destination[..16], _high);
        BinaryPrimitives.WriteUInt128BigEndian(destination[16..ByteLength], _low);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        WriteBigEndian(bytes);
        return bytes;
    }

    public static RingId Parse(string hex)
    {
        var text = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (text.Length != 2 * ByteLength || !Hex.TryDecode(text, out var bytes)) throw new FormatException($"'{hex}' is not 64 hex digits");
        return FromBigEndian(bytes);
    }

    /// <summary>The position as a fraction of the ring in [0, 1): handy for plots and logs.</summary>
    public double Fraction => (double)_high / Math.Pow(2, 128);

    public override string ToString() => _high.ToString("x32", CultureInfo.InvariantCulture) + _low.ToString("x32", CultureInfo.InvariantCulture);
    /// <summary>The first 8 hex digits: enough to tell nodes apart in logs.</summary>
    public string ToShortString() => ToString()[..8];

    public int CompareTo(RingId other)
    {
        var high = _high.CompareTo(other._high);
        return high != 0 ? high : _low.CompareTo(other._low);
    }

    public bool Equals(RingId other) => _high == other._high && _low == other._low;
    public override bool Equals(object? obj) => obj is RingId other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(_high, _low);
    public static bool operator ==(RingId a, RingId b) => a.Equals(b);
    public static bool operator !=(RingId a, RingId b) => !a.Equals(b);
    public static bool operator <(RingId a, RingId b) => a.CompareTo(b) < 0;
    public static bool operator >(RingId a, RingId b) => a.CompareTo(b) > 0;
    public static bool operator <=(RingId a, RingId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(RingId a, RingId b) => a.CompareTo(b) >= 0;
}
