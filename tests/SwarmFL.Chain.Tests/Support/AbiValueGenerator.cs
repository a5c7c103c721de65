using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using SwarmFL.Chain.Abi;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Tests.Support;

/// <summary>
/// Random ABI types (nested tuples and arrays, every elementary kind) and values for them, from a seed, plus the JSON
/// form ethers accepts (integers as decimal strings, bytes as hex) and a structural comparison of decoded values.
/// </summary>
public sealed class AbiValueGenerator(int seed)
{
    private readonly Random _random = new(seed);

    public AbiType NextType(int depth = 0)
    {
        var choice = _random.Next(depth >= 3 ? 7 : 10);
        return choice switch
        {
            0 => new UIntType(8 * _random.Next(1, 33)),
            1 => new IntType(8 * _random.Next(1, 33)),
            2 => AbiType.Address,
            3 => AbiType.Bool,
            4 => new FixedBytesType(_random.Next(1, 33)),
            5 => AbiType.Bytes,
            6 => AbiType.String,
            7 => new ArrayType(NextType(depth + 1), null),
            8 => new ArrayType(NextType(depth + 1), _random.Next(1, 4)),
            _ => new TupleType(Enumerable.Range(0, _random.Next(1, 4)).Select(_ => NextType(depth + 1)).ToArray()),
        };
    }

    public object NextValue(AbiType type) => type switch
    {
        UIntType u => RandomUnsigned(u.Bits),
        IntType i => RandomUnsigned(i.Bits) - (BigInteger.One << (i.Bits - 1)),
        AddressType => EthereumAddress.FromBytes(RandomBytes(20)),
        BoolType => _random.Next(2) == 1,
        FixedBytesType f => RandomBytes(f.Size),
        BytesType => RandomBytes(_random.Next(0, 70)),
        StringType => RandomString(),
        ArrayType a => Enumerable.Range(0, a.Length ?? _random.Next(0, 4)).Select(_ => NextValue(a.Element)).ToArray(),
        TupleType t => t.Components.Select(NextValue).ToArray(),
        _ => throw new NotSupportedException(type.ToString()),
    };

    /// <summary>Edge values are likelier than uniform ones: 0, 1, the maximum, and small numbers.</summary>
    private BigInteger RandomUnsigned(int bits)
    {
        var max = (BigInteger.One << bits) - 1;
        return _random.Next(6) switch
        {
            0 => BigInteger.Zero,
            1 => max,
            2 => BigInteger.One << (bits - 1),
            3 => _random.Next(0, 300) % (max + 1),
            _ => new BigInteger(RandomBytes(bits / 8), isUnsigned: true, isBigEndian: true),
        };
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string RandomString()
    {
        string[] pieces = ["a", "swarm", "", "é", "模型", "🐝", " ", "\"", "\\", "\n", "0x00"];
        var builder = new StringBuilder();
        for (var i = _random.Next(0, 8); i > 0; i--) builder.Append(pieces[_random.Next(pieces.Length)]);
        if (_random.Next(5) == 0) builder.Append(new string('x', _random.Next(30, 80)));
        return builder.ToString();
    }

    public static JsonNode? ToEthersJson(object? value) => value switch
    {
        BigInteger b => JsonValue.Create(b.ToString()),
        EthereumAddress a => JsonValue.Create(a.ToString()),
        bool b => JsonValue.Create(b),
        byte[] bytes => JsonValue.Create(Hex.Encode(bytes)),
        string s => JsonValue.Create(s),
        object?[] items => new JsonArray(items.Select(ToEthersJson).ToArray()),
        _ => throw new NotSupportedException(value?.GetType().Name),
    };

    public static bool StructurallyEqual(object? a, object? b) => (a, b) switch
    {
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (object?[] x, object?[] y) => x.Length == y.Length && x.Zip(y).All(p => StructurallyEqual(p.First, p.Second)),
        _ => Equals(a, b),
    };
}
