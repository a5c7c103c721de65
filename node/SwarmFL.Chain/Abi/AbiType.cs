namespace SwarmFL.Chain.Abi;

/// <summary>
/// A Solidity ABI type (https://docs.soliditylang.org/en/latest/abi-spec.html). Values travel as .NET objects:
/// integers as <see cref="System.Numerics.BigInteger"/> (any integral type is accepted on encoding), address as
/// <see cref="SwarmFL.Crypto.EthereumAddress"/>, bool, bytesN and bytes as byte[], string, arrays and tuples as object[].
/// </summary>
public abstract record AbiType
{
    /// <summary>The canonical name used in signatures, e.g. "uint256" or "(uint32,bytes32)[]".</summary>
    public abstract string Canonical { get; }

    /// <summary>Dynamic types are encoded in the tail and referenced by an offset in the head.</summary>
    public virtual bool IsDynamic => false;

    /// <summary>Bytes this type takes in the head of its enclosing tuple.</summary>
    public virtual int HeadSize => 32;

    public sealed override string ToString() => Canonical;

    public static AbiType Parse(string canonical) => AbiTypeParser.ParseType(canonical);

    public static readonly AbiType Address = new AddressType();
    public static readonly AbiType Bool = new BoolType();
    public static readonly AbiType Bytes = new BytesType();
    public static readonly AbiType String = new StringType();
    public static readonly AbiType Bytes32 = new FixedBytesType(32);
    public static readonly AbiType UInt256 = new UIntType(256);
    public static AbiType UInt(int bits) => new UIntType(bits);
    public static AbiType Int(int bits) => new IntType(bits);
    public static AbiType FixedBytes(int size) => new FixedBytesType(size);
    public static AbiType ArrayOf(AbiType element, int? length = null) => new ArrayType(element, length);
    public static TupleType Tuple(params AbiType[] components) => new(components);
}

public sealed record UIntType : AbiType
{
    public UIntType(int bits)
    {
        if (bits is < 8 or > 256 || bits % 8 != 0) throw new FormatException($"ABI: uint{bits} is not a type (8…256 in steps of 8)");
        Bits = bits;
    }
    public int Bits { get; }
    public override string Canonical => $"uint{Bits}";
}

public sealed record IntType : AbiType
{
    public IntType(int bits)
    {
        if (bits is < 8 or > 256 || bits % 8 != 0) throw new FormatException($"ABI: int{bits} is not a type (8…256 in steps of 8)");
        Bits = bits;
    }
    public int Bits { get; }
    public override string Canonical => $"int{Bits}";
}

public sealed record AddressType : AbiType
{
    public override string Canonical => "address";
}

public sealed record BoolType : AbiType
{
    public override string Canonical => "bool";
}

public sealed record FixedBytesType : AbiType
{
    public FixedBytesType(int size)
    {
        if (size is < 1 or > 32) throw new FormatException($"ABI: bytes{size} is not a type (1…32)");
        Size = size;
    }
    public int Size { get; }
    public override string Canonical => $"bytes{Size}";
}

public sealed record BytesType : AbiType
{
    public override string Canonical => "bytes";
    public override bool IsDynamic => true;
}

public sealed record StringType : AbiType
{
    public override string Canonical => "string";
    public override bool IsDynamic => true;
}

/// <summary>T[] when <see cref="Length"/> is null, T[k] otherwise.</summary>
public sealed record ArrayType(AbiType Element, int? Length) : AbiType
{
    public override string Canonical => $"{Element.Canonical}[{Length}]";
    public override bool IsDynamic => Length is null || Element.IsDynamic;
    public override int HeadSize => IsDynamic ? 32 : Length!.Value * Element.HeadSize;
}

public sealed record TupleType(IReadOnlyList<AbiType> Components) : AbiType
{
    public override string Canonical => "(" + string.Join(",", Components.Select(c => c.Canonical)) + ")";
    public override bool IsDynamic => Components.Any(c => c.IsDynamic);
    public override int HeadSize => IsDynamic ? 32 : Components.Sum(c => c.HeadSize);

    public bool Equals(TupleType? other) => other is not null && Components.SequenceEqual(other.Components);
    public override int GetHashCode() => Canonical.GetHashCode();
}
