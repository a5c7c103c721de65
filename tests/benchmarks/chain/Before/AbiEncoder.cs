// The hand-written code SwarmFL.Chain used before Nethereum (commit 0195c84), kept verbatim as the "before" of this benchmark only.
using System.Collections;
using System.Numerics;
using System.Text;
using SwarmFL.Crypto;

using SwarmFL.Chain.Abi;

namespace ChainBench.Before;

/// <summary>Standard ABI encoding: a tuple's static parts in the head, dynamic parts in the tail behind offsets.</summary>
public static class BeforeAbiEncoder
{
    /// <summary>Encodes values as the tuple of the given types (a function's arguments, an event's data).</summary>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values) =>
        Encode(new TupleType(types), values);

    public static byte[] Encode(AbiType type, object? value)
    {
        using var stream = new MemoryStream();
        Write(stream, type, value);
        return stream.ToArray();
    }

    private static void Write(MemoryStream output, AbiType type, object? value)
    {
        switch (type)
        {
            case UIntType u:
                WriteWord(output, CheckRange(ToBigInteger(value, type), BigInteger.Zero, BigInteger.One << u.Bits, type));
                break;
            case IntType i:
                var half = BigInteger.One << (i.Bits - 1);
                WriteWord(output, CheckRange(ToBigInteger(value, type), -half, half, type));
                break;
            case AddressType:
                var address = value switch
                {
                    EthereumAddress a => a,
                    string s => EthereumAddress.Parse(s),
                    byte[] b when b.Length == 20 => EthereumAddress.FromBytes(b),
                    _ => throw Mismatch(type, value),
                };
                Span<byte> word = stackalloc byte[32];
                word.Clear();
                address.Bytes.CopyTo(word[12..]);
                output.Write(word);
                break;
            case BoolType:
                WriteWord(output, value is bool flag ? (flag ? BigInteger.One : BigInteger.Zero) : throw Mismatch(type, value));
                break;
            case FixedBytesType f:
                var fixedBytes = ToBytes(value, type);
                if (fixedBytes.Length != f.Size)
                    throw new ArgumentException($"ABI: {type} needs exactly {f.Size} bytes, got {fixedBytes.Length}");
                WritePadded(output, fixedBytes);
                break;
            case BytesType:
                var bytes = ToBytes(value, type);
                WriteWord(output, bytes.Length);
                WritePadded(output, bytes);
                break;
            case StringType:
                var utf8 = Encoding.UTF8.GetBytes(value as string ?? throw Mismatch(type, value));
                WriteWord(output, utf8.Length);
                WritePadded(output, utf8);
                break;
            case ArrayType array:
                var elements = ToList(value, type);
                if (array.Length is { } fixedLength)
                {
                    if (elements.Count != fixedLength)
                        throw new ArgumentException($"ABI: {type} needs {fixedLength} elements, got {elements.Count}");
                }
                else
                {
                    WriteWord(output, elements.Count);
                }
                WriteSequence(output, Enumerable.Repeat(array.Element, elements.Count).ToArray(), elements);
                break;
            case TupleType tuple:
                var fields = ToList(value, type);
                if (fields.Count != tuple.Components.Count)
                    throw new ArgumentException($"ABI: {type} has {tuple.Components.Count} components, got {fields.Count} values");
                WriteSequence(output, tuple.Components, fields);
                break;
            default:
                throw new NotSupportedException($"ABI: cannot encode {type}");
        }
    }

    /// <summary>Heads in order; each dynamic element's head is the offset of its tail from the sequence start.</summary>
    private static void WriteSequence(MemoryStream output, IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        var headSize = types.Sum(t => t.HeadSize);
        using var tail = new MemoryStream();
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].IsDynamic)
            {
                WriteWord(output, headSize + tail.Length);
                Write(tail, types[i], values[i]);
            }
            else
            {
                Write(output, types[i], values[i]);
            }
        }
        tail.Position = 0;
        tail.CopyTo(output);
    }

    private static void WriteWord(MemoryStream output, BigInteger value)
    {
        Span<byte> word = stackalloc byte[32];
        word.Fill(value.Sign < 0 ? (byte)0xff : (byte)0);
        var count = value.GetByteCount(isUnsigned: value.Sign >= 0);
        value.TryWriteBytes(word[(32 - count)..], out _, isUnsigned: value.Sign >= 0, isBigEndian: true);
        output.Write(word);
    }

    private static void WritePadded(MemoryStream output, ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        var padding = (32 - bytes.Length % 32) % 32;
        for (var i = 0; i < padding; i++) output.WriteByte(0);
    }

    private static BigInteger CheckRange(BigInteger value, BigInteger min, BigInteger maxExclusive, AbiType type)
    {
        if (value < min || value >= maxExclusive) throw new ArgumentOutOfRangeException(nameof(value), $"ABI: {value} does not fit {type}");
        return value;
    }

    internal static BigInteger ToBigInteger(object? value, AbiType type) => value switch
    {
        BigInteger b => b,
        byte n => n, sbyte n => n, short n => n, ushort n => n, int n => n, uint n => n, long n => n, ulong n => n,
        Enum e => Convert.ToInt64(e),
        string s when s.StartsWith("0x") => new BigInteger(Hex.Decode(s), isUnsigned: true, isBigEndian: true),
        string s when BigInteger.TryParse(s, out var parsed) => parsed,
        _ => throw Mismatch(type, value),
    };

    private static byte[] ToBytes(object? value, AbiType type) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
        string s => Hex.Decode(s),
        _ => throw Mismatch(type, value),
    };

    private static IReadOnlyList<object?> ToList(object? value, AbiType type) => value switch
    {
        IReadOnlyList<object?> list => list,
        IEnumerable enumerable and not string and not byte[] => enumerable.Cast<object?>().ToArray(),
        _ => throw Mismatch(type, value),
    };

    private static ArgumentException Mismatch(AbiType type, object? value) =>
        new($"ABI: cannot encode {value?.GetType().Name ?? "null"} as {type}");
}
