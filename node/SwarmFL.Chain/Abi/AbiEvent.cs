using SwarmFL.Crypto;

namespace SwarmFL.Chain.Abi;

/// <summary>
/// A contract event. Topic 0 is Keccak-256 of its signature; indexed parameters follow as topics (dynamic ones only
/// as their Keccak-256 hash, which is what <see cref="Decode"/> returns for them); the rest are ABI-encoded in the data.
/// </summary>
public sealed class AbiEvent
{
    public AbiEvent(string name, IReadOnlyList<AbiParameter> parameters)
    {
        Name = name;
        Parameters = parameters;
        Signature = $"{name}({string.Join(",", parameters.Select(p => p.Type.Canonical))})";
        Topic0 = Keccak256.Hash(Signature);
        if (parameters.Count(p => p.Indexed) > 3) throw new FormatException($"ABI: event {Signature} has more than 3 indexed parameters");
    }

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Parameters { get; }
    public string Signature { get; }
    public byte[] Topic0 { get; }

    /// <summary>Parses "Name(type indexed a, type b)".</summary>
    public static AbiEvent Parse(string declaration)
    {
        var (name, parameters, rest) = AbiTypeParser.SplitSignature(declaration);
        if (rest.Length > 0) throw new FormatException($"ABI: unexpected '{rest}' in '{declaration}'");
        return new AbiEvent(name, AbiTypeParser.ParseParameters(parameters));
    }

    public bool Matches(IReadOnlyList<byte[]> topics) => topics.Count > 0 && topics[0].AsSpan().SequenceEqual(Topic0);

    /// <summary>Values in parameter order.</summary>
    public object?[] Decode(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        if (!Matches(topics)) throw new FormatException($"log is not a {Signature} event (topic 0 differs)");
        var indexed = Parameters.Where(p => p.Indexed).ToArray();
        if (topics.Count != indexed.Length + 1)
            throw new FormatException($"{Signature}: expected {indexed.Length + 1} topics, got {topics.Count}");
        var nonIndexed = AbiDecoder.Decode(Parameters.Where(p => !p.Indexed).Select(p => p.Type).ToArray(), data);
        var values = new object?[Parameters.Count];
        int topic = 1, datum = 0;
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (!Parameters[i].Indexed)
            {
                values[i] = nonIndexed[datum++];
                continue;
            }
            var word = topics[topic++];
            if (word.Length != 32) throw new FormatException($"{Signature}: topic {topic - 1} has {word.Length} bytes, not 32");
            var type = Parameters[i].Type;
            values[i] = type.IsDynamic || type is TupleType or ArrayType ? word : AbiDecoder.Decode(type, word);
        }
        return values;
    }

    public override string ToString() => Signature;
}
