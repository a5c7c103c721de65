using SwarmFL.Crypto;

namespace SwarmFL.Chain.Abi;

/// <summary>A Solidity custom error; revert data is its 4-byte selector followed by the ABI-encoded arguments.</summary>
public sealed class AbiError
{
    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        Name = name;
        Inputs = inputs;
        Signature = $"{name}({string.Join(",", inputs.Select(p => p.Type.Canonical))})";
        Selector = Keccak256.Hash(Signature)[..4];
    }

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }
    public string Signature { get; }
    public byte[] Selector { get; }

    /// <summary>The revert with a message, emitted by require(cond, "msg") and revert("msg").</summary>
    public static readonly AbiError ErrorString = Parse("Error(string message)");

    /// <summary>The built-in assertion failures (overflow, division by zero, …), emitted by the compiler.</summary>
    public static readonly AbiError Panic = Parse("Panic(uint256 code)");

    public static AbiError Parse(string declaration)
    {
        var (name, parameters, rest) = AbiTypeParser.SplitSignature(declaration);
        if (rest.Length > 0) throw new FormatException($"ABI: unexpected '{rest}' in '{declaration}'");
        return new AbiError(name, AbiTypeParser.ParseParameters(parameters));
    }

    public bool Matches(ReadOnlySpan<byte> revertData) => revertData.Length >= 4 && revertData[..4].SequenceEqual(Selector);

    public object?[] Decode(ReadOnlySpan<byte> revertData)
    {
        if (!Matches(revertData)) throw new FormatException($"revert data is not a {Signature}");
        return AbiDecoder.Decode(Inputs.Select(p => p.Type).ToArray(), revertData[4..]);
    }

    public byte[] Encode(params object?[] arguments) =>
        [.. Selector, .. AbiEncoder.Encode(Inputs.Select(p => p.Type).ToArray(), arguments)];

    public override string ToString() => Signature;
}
