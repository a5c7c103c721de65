// The hand-written code SwarmFL.Chain used before Nethereum (commit 0195c84), kept verbatim as the "before" of this benchmark only.
using System.Buffers.Binary;
using System.Numerics;

namespace ChainBench.Before;

/// <summary>
/// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B). Items are byte strings or lists of items;
/// integers are big-endian byte strings with no leading zeros (zero is the empty string).
/// </summary>
public static class RlpEncoder
{
    private const byte ShortStringOffset = 0x80;
    private const byte LongStringOffset = 0xb7;
    private const byte ShortListOffset = 0xc0;
    private const byte LongListOffset = 0xf7;

    public static byte[] EncodeBytes(ReadOnlySpan<byte> value)
    {
        if (value.Length == 1 && value[0] < ShortStringOffset) return [value[0]];
        var output = new byte[PrefixSize(value.Length) + value.Length];
        var written = WritePrefix(output, value.Length, ShortStringOffset, LongStringOffset);
        value.CopyTo(output.AsSpan(written));
        return output;
    }

    public static byte[] EncodeString(string utf8) => EncodeBytes(System.Text.Encoding.UTF8.GetBytes(utf8));

    public static byte[] EncodeUInt(ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(buffer, value);
        return EncodeBytes(buffer[(BitOperations.LeadingZeroCount(value) / 8)..]);
    }

    public static byte[] EncodeUInt(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are unsigned");
        return EncodeBytes(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>Wraps already-encoded items into a list.</summary>
    public static byte[] EncodeList(params IReadOnlyList<byte[]> encodedItems)
    {
        var payload = 0;
        foreach (var item in encodedItems) payload += item.Length;
        var output = new byte[PrefixSize(payload) + payload];
        var offset = WritePrefix(output, payload, ShortListOffset, LongListOffset);
        foreach (var item in encodedItems)
        {
            item.CopyTo(output, offset);
            offset += item.Length;
        }
        return output;
    }

    public static byte[] Encode(RlpItem item) => item switch
    {
        RlpItem.String s => EncodeBytes(s.Bytes.Span),
        RlpItem.List l => EncodeList(l.Items.Select(Encode).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };

    private static int PrefixSize(int length) => length < 56 ? 1 : 1 + ByteLength((ulong)length);

    private static int ByteLength(ulong value) => 8 - BitOperations.LeadingZeroCount(value) / 8;

    private static int WritePrefix(Span<byte> output, int length, byte shortOffset, byte longOffset)
    {
        if (length < 56)
        {
            output[0] = (byte)(shortOffset + length);
            return 1;
        }
        var lengthOfLength = ByteLength((ulong)length);
        output[0] = (byte)(longOffset + lengthOfLength);
        for (var i = 0; i < lengthOfLength; i++)
            output[lengthOfLength - i] = (byte)(length >> (8 * i));
        return 1 + lengthOfLength;
    }
}
