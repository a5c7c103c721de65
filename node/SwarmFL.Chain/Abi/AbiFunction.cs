using SwarmFL.Crypto;

namespace SwarmFL.Chain.Abi;

/// <summary>A contract function: its selector is the first 4 bytes of Keccak-256 of "name(canonical,input,types)".</summary>
public sealed class AbiFunction
{
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        InputTypes = inputs.Select(p => p.Type).ToArray();
        OutputTypes = outputs.Select(p => p.Type).ToArray();
        Signature = $"{name}({string.Join(",", InputTypes.Select(t => t.Canonical))})";
        Selector = Keccak256.Hash(Signature)[..4];
    }

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }
    public IReadOnlyList<AbiParameter> Outputs { get; }
    public IReadOnlyList<AbiType> InputTypes { get; }
    public IReadOnlyList<AbiType> OutputTypes { get; }
    public string Signature { get; }
    public byte[] Selector { get; }

    /// <summary>Parses "name(type a, type b) returns (type c)"; the returns part is optional.</summary>
    public static AbiFunction Parse(string declaration)
    {
        var (name, parameters, rest) = AbiTypeParser.SplitSignature(declaration);
        IReadOnlyList<AbiParameter> outputs = [];
        if (rest.Length > 0)
        {
            if (!rest.StartsWith("returns")) throw new FormatException($"ABI: expected 'returns (…)' in '{declaration}'");
            var (_, returned, trailing) = AbiTypeParser.SplitSignature("r" + rest["returns".Length..].Trim());
            if (trailing.Length > 0) throw new FormatException($"ABI: unexpected '{trailing}' in '{declaration}'");
            outputs = AbiTypeParser.ParseParameters(returned);
        }
        return new AbiFunction(name, AbiTypeParser.ParseParameters(parameters), outputs);
    }

    public byte[] EncodeCall(params object?[] arguments)
    {
        if (arguments.Length != Inputs.Count)
            throw new ArgumentException($"{Signature} takes {Inputs.Count} arguments, got {arguments.Length}");
        return [.. Selector, .. AbiEncoder.Encode(InputTypes, arguments)];
    }

    public object?[] DecodeOutput(ReadOnlySpan<byte> returnData) => AbiDecoder.Decode(OutputTypes, returnData);

    public override string ToString() => Signature;
}
