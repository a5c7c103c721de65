using System.Collections;
using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using SwarmFL.Crypto;
using NethereumAbiType = Nethereum.ABI.ABIType;
using NethereumTupleType = Nethereum.ABI.TupleType;
using NethereumArrayType = Nethereum.ABI.ArrayType;

namespace SwarmFL.Chain.Abi;

/// <summary>
/// Standard ABI encoding by Nethereum's encoder, for our type and value model (integers of any integral type or
/// BigInteger, <see cref="EthereumAddress"/>, bool, byte[], string, object[] for arrays and tuples). Values are checked
/// against the type first, so a value that does not fit is an <see cref="ArgumentException"/> naming the type, raised
/// before Nethereum sees it.
/// </summary>
public static class AbiEncoder
{
    /// <summary>Encodes values as the tuple of the given types (a function's arguments, an event's data).</summary>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        if (types.Count != values.Count) throw new ArgumentException($"ABI: {types.Count} types but {values.Count} values");
        var parameters = types.Select((t, i) => ToNethereumParameter(t, i + 1)).ToArray();
        return new ParametersEncoder().EncodeParameters(parameters, types.Select((t, i) => ToNethereumValue(t, values[i])).ToArray());
    }

    public static byte[] Encode(AbiType type, object? value) => type is TupleType tuple
        ? Encode(tuple.Components, ToList(value, type))
        : Encode([type], [value]);

    /// <summary>Nethereum's description of one parameter of our type; tuples get their components set recursively.</summary>
    public static Parameter ToNethereumParameter(AbiType type, int order, string? name = null)
    {
        var parameter = new Parameter(NethereumTypeName(type), name ?? $"p{order}", order, null, null);
        SetComponents(type, parameter.ABIType);
        return parameter;
    }

    /// <summary>"(uint32,bytes32)[2][]" is "tuple[2][]" to Nethereum, with the components set on the tuple type.</summary>
    private static string NethereumTypeName(AbiType type) => type switch
    {
        TupleType => "tuple",
        ArrayType array => $"{NethereumTypeName(array.Element)}[{array.Length}]",
        _ => type.Canonical,
    };

    private static void SetComponents(AbiType ours, NethereumAbiType theirs)
    {
        switch (ours, theirs)
        {
            case (TupleType tuple, NethereumTupleType nethereumTuple):
                nethereumTuple.SetComponents(tuple.Components.Select((c, i) => ToNethereumParameter(c, i + 1)).ToArray());
                break;
            case (ArrayType array, NethereumArrayType nethereumArray):
                SetComponents(array.Element, nethereumArray.ElementType);
                break;
        }
    }

    /// <summary>Our value as Nethereum's encoder takes it, checked against the type.</summary>
    private static object ToNethereumValue(AbiType type, object? value)
    {
        switch (type)
        {
            case UIntType u:
                return CheckRange(ToBigInteger(value, type), BigInteger.Zero, BigInteger.One << u.Bits, type);
            case IntType i:
                var half = BigInteger.One << (i.Bits - 1);
                return CheckRange(ToBigInteger(value, type), -half, half, type);
            case AddressType:
                return (value switch
                {
                    EthereumAddress a => a,
                    string s => EthereumAddress.Parse(s),
                    byte[] b when b.Length == EthereumAddress.Size => EthereumAddress.FromBytes(b),
                    _ => throw Mismatch(type, value),
                }).ToString();
            case BoolType:
                return value as bool? ?? throw Mismatch(type, value);
            case FixedBytesType f:
                var fixedBytes = ToBytes(value, type);
                if (fixedBytes.Length != f.Size) throw new ArgumentException($"ABI: {type} needs exactly {f.Size} bytes, got {fixedBytes.Length}");
                return fixedBytes;
            case BytesType:
                return ToBytes(value, type);
            case StringType:
                return value as string ?? throw Mismatch(type, value);
            case ArrayType array:
                var elements = ToList(value, type);
                if (array.Length is { } length && elements.Count != length)
                    throw new ArgumentException($"ABI: {type} needs {length} elements, got {elements.Count}");
                return elements.Select(e => ToNethereumValue(array.Element, e)).ToList();
            case TupleType tuple:
                var fields = ToList(value, type);
                if (fields.Count != tuple.Components.Count)
                    throw new ArgumentException($"ABI: {type} has {tuple.Components.Count} components, got {fields.Count} values");
                return tuple.Components.Select((c, k) => ToNethereumValue(c, fields[k])).ToArray();
            default:
                throw new NotSupportedException($"ABI: cannot encode {type}");
        }
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
        _ => throw Mismatch(type, value),
    };

    private static byte[] ToBytes(object? value, AbiType type) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
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
