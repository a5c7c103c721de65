namespace SwarmFL.Crypto.Multiformats;

/// <summary>
/// The multiformats unsigned varint (LEB128, at most 9 bytes, minimal encoding only), used by multihash, multiaddr,
/// CIDs and libp2p's length-prefixed framing.
/// </summary>
public static class UVarint
{
    public const int MaxLength = 9;

    public static int SizeOf(ulong value)
    {
        var size = 1;
        while (value >= 0x80) { value >>= 7; size++; }
        return size;
    }

    public static int Write(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static byte[] Encode(ulong value)
    {
        var buffer = new byte[SizeOf(value)];
        Write(value, buffer);
        return buffer;
    }

    /// <summary>Reads a varint; returns false when the input ends first. Throws FormatException on an overlong or non-minimal varint.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        value = 0;
        consumed = 0;
        for (var i = 0; i < MaxLength; i++)
        {
            if (i >= source.Length) return false;
            var b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0) throw new FormatException("varint is not minimally encoded");
                consumed = i + 1;
                return true;
            }
        }
        throw new FormatException("varint is longer than 9 bytes");
    }

    public static ulong Read(ReadOnlySpan<byte> source, out int consumed)
    {
        if (!TryRead(source, out var value, out consumed)) throw new FormatException("varint is truncated");
        return value;
    }
}
