using System.Numerics;
using System.Text;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Abi;

/// <summary>
/// Strict ABI decoding of untrusted data: offsets and lengths must stay inside the input, padding must be zero,
/// bools 0 or 1, addresses and small integers properly extended. Any violation is a <see cref="FormatException"/>.
/// </summary>
public static class AbiDecoder
{
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data) =>
        (object?[])Decode(new TupleType(types), data)!;

    public static object? Decode(AbiType type, ReadOnlySpan<byte> data)
    {
        // A valid encoding gives every value its own word, so a few values per word bounds honest input. Offsets that
        // point many elements at the same tail (an "ABI bomb") would otherwise expand small data without limit.
        var budget = 4L * (data.Length / 32) + 64;
        return Read(data, 0, type, 0, ref budget);
    }

    private const int MaxDepth = 32;

    private static object? Read(ReadOnlySpan<byte> data, int offset, AbiType type, int depth, ref long budget)
    {
        if (depth > MaxDepth) throw new FormatException("ABI: nesting too deep");
        if (--budget < 0) throw new FormatException($"ABI: the data decodes to far more values than its {data.Length} bytes can hold (overlapping offsets)");
        switch (type)
        {
            case UIntType u:
            {
                var word = Word(data, offset, type);
                var value = new BigInteger(word, isUnsigned: true, isBigEndian: true);
                if (value >> u.Bits != 0) throw new FormatException($"ABI: value at offset {offset} does not fit {type}");
                return value;
            }
            case IntType i:
            {
                var value = new BigInteger(Word(data, offset, type), isUnsigned: false, isBigEndian: true);
                var half = BigInteger.One << (i.Bits - 1);
                if (value < -half || value >= half) throw new FormatException($"ABI: value at offset {offset} does not fit {type}");
                return value;
            }
            case AddressType:
            {
                var word = Word(data, offset, type);
                if (word[..12].ContainsAnyExcept((byte)0)) throw new FormatException($"ABI: address at offset {offset} has non-zero high bytes");
                return EthereumAddress.FromBytes(word[12..]);
            }
            case BoolType:
            {
                var value = new BigInteger(Word(data, offset, type), isUnsigned: true, isBigEndian: true);
                if (value > 1) throw new FormatException($"ABI: bool at offset {offset} is {value}, not 0 or 1");
                return !value.IsZero;
            }
            case FixedBytesType f:
            {
                var word = Word(data, offset, type);
                if (word[f.Size..].ContainsAnyExcept((byte)0)) throw new FormatException($"ABI: {type} at offset {offset} has non-zero padding");
                return word[..f.Size].ToArray();
            }
            case BytesType:
                return ReadBytes(data, offset, type).ToArray();
            case StringType:
                try
                {
                    return new UTF8Encoding(false, true).GetString(ReadBytes(data, offset, type));
                }
                catch (DecoderFallbackException)
                {
                    throw new FormatException($"ABI: string at offset {offset} is not valid UTF-8");
                }
            case ArrayType array:
            {
                int count;
                var start = offset;
                if (array.Length is { } fixedLength)
                {
                    count = fixedLength;
                }
                else
                {
                    count = Length(data, offset, type);
                    start = offset + 32;
                }
                // Each element needs at least one word, which bounds the count by the remaining data.
                if ((long)count * 32 > data.Length - start)
                    throw new FormatException($"ABI: {type} at offset {offset} claims {count} elements but the data is too short");
                return ReadSequence(data, start, Enumerable.Repeat(array.Element, count).ToArray(), depth, ref budget);
            }
            case TupleType tuple:
                return ReadSequence(data, offset, tuple.Components, depth, ref budget);
            default:
                throw new NotSupportedException($"ABI: cannot decode {type}");
        }
    }

    private static object?[] ReadSequence(ReadOnlySpan<byte> data, int start, IReadOnlyList<AbiType> types, int depth, ref long budget)
    {
        var values = new object?[types.Count];
        var head = start;
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].IsDynamic)
            {
                var relative = Length(data, head, types[i]);
                var target = (long)start + relative;
                if (target > data.Length) throw new FormatException($"ABI: offset {relative} at {head} points past the end of the data");
                values[i] = Read(data, (int)target, types[i], depth + 1, ref budget);
            }
            else
            {
                values[i] = Read(data, head, types[i], depth + 1, ref budget);
            }
            head += types[i].HeadSize;
        }
        return values;
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data, int offset, AbiType type)
    {
        var length = Length(data, offset, type);
        var start = offset + 32;
        var padded = (length + 31L) / 32 * 32;
        if (start + padded > data.Length)
            throw new FormatException($"ABI: {type} at offset {offset} of length {length} runs past the end of the data");
        var bytes = data.Slice(start, length);
        if (data.Slice(start + length, (int)padded - length).ContainsAnyExcept((byte)0))
            throw new FormatException($"ABI: {type} at offset {offset} has non-zero padding");
        return bytes;
    }

    private static int Length(ReadOnlySpan<byte> data, int offset, AbiType type)
    {
        var value = new BigInteger(Word(data, offset, type), isUnsigned: true, isBigEndian: true);
        if (value > data.Length) throw new FormatException($"ABI: length or offset {value} at {offset} for {type} exceeds the data size {data.Length}");
        return (int)value;
    }

    private static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> data, int offset, AbiType type)
    {
        if (offset < 0 || offset + 32 > data.Length)
            throw new FormatException($"ABI: data too short for {type} at offset {offset} (have {data.Length} bytes)");
        return data.Slice(offset, 32);
    }
}
