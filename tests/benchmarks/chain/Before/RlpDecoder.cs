// The hand-written code SwarmFL.Chain used before Nethereum (commit 0195c84), kept verbatim as the "before" of this benchmark only.
namespace ChainBench.Before;

/// <summary>
/// Strict RLP decoding: every item must be in its one canonical form (single bytes below 0x80 unwrapped, short forms
/// for lengths below 56, no leading zeros in lengths) and the input must hold exactly one item. Anything else is a
/// <see cref="FormatException"/> saying where it went wrong.
/// </summary>
public static class RlpDecoder
{
    private const int MaxDepth = 64;

    public static RlpItem Decode(ReadOnlyMemory<byte> input)
    {
        var offset = 0;
        var item = DecodeItem(input, ref offset, 0);
        if (offset != input.Length)
            throw new FormatException($"RLP: {input.Length - offset} trailing bytes after the item at offset {offset}");
        return item;
    }

    private static RlpItem DecodeItem(ReadOnlyMemory<byte> input, ref int offset, int depth)
    {
        if (depth > MaxDepth) throw new FormatException($"RLP: lists nested deeper than {MaxDepth}");
        var span = input.Span;
        if (offset >= span.Length) throw new FormatException($"RLP: truncated input, expected an item at offset {offset}");
        var start = offset;
        var prefix = span[offset];
        if (prefix < 0x80)
        {
            offset++;
            return new RlpItem.String(input.Slice(start, 1));
        }
        var isList = prefix >= 0xc0;
        var (payloadOffset, payloadLength) = ReadLength(span, offset, isList);
        if ((long)payloadOffset + payloadLength > span.Length)
            throw new FormatException($"RLP: truncated input, item at offset {start} declares {payloadLength} bytes but only {span.Length - payloadOffset} remain");
        offset = payloadOffset + payloadLength;
        if (!isList)
        {
            if (payloadLength == 1 && span[payloadOffset] < 0x80)
                throw new FormatException($"RLP: non-canonical single byte 0x{span[payloadOffset]:x2} at offset {start} must not be length-prefixed");
            return new RlpItem.String(input.Slice(payloadOffset, payloadLength));
        }
        var items = new List<RlpItem>();
        var inner = payloadOffset;
        var end = payloadOffset + payloadLength;
        var payload = input[..end];
        while (inner < end) items.Add(DecodeItem(payload, ref inner, depth + 1));
        return new RlpItem.List(items);
    }

    private static (int PayloadOffset, int PayloadLength) ReadLength(ReadOnlySpan<byte> span, int offset, bool isList)
    {
        var prefix = span[offset];
        var shortBase = isList ? 0xc0 : 0x80;
        var longBase = isList ? 0xf7 : 0xb7;
        if (prefix <= longBase) return (offset + 1, prefix - shortBase);

        var lengthOfLength = prefix - longBase;
        if (offset + 1 + lengthOfLength > span.Length)
            throw new FormatException($"RLP: truncated length at offset {offset}");
        if (span[offset + 1] == 0)
            throw new FormatException($"RLP: length at offset {offset} has a leading zero byte");
        if (lengthOfLength > 4)
            throw new FormatException($"RLP: length of {lengthOfLength} bytes at offset {offset} is too large");
        long length = 0;
        for (var i = 0; i < lengthOfLength; i++) length = (length << 8) | span[offset + 1 + i];
        if (length < 56)
            throw new FormatException($"RLP: non-canonical long form for length {length} at offset {offset}");
        if (length > int.MaxValue) throw new FormatException($"RLP: length {length} at offset {offset} is too large");
        return (offset + 1 + lengthOfLength, (int)length);
    }
}
