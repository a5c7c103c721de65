namespace SwarmFL.Chain.Abi;

/// <summary>
/// Parses Solidity type strings: canonical ones ("(uint32,uint64,bool,bytes32)[]") and human-readable parameter
/// lists with names and the `indexed` keyword ("uint64 indexed round, bytes32 modelId"). "uint"/"int" mean 256 bits.
/// </summary>
public static class AbiTypeParser
{
    public static AbiType ParseType(string text)
    {
        var reader = new Reader(text);
        var type = reader.Type();
        reader.SkipSpace();
        if (!reader.AtEnd) throw reader.Error("unexpected text after the type");
        return type;
    }

    /// <summary>"type [indexed] [name], …" without the surrounding parentheses.</summary>
    public static IReadOnlyList<AbiParameter> ParseParameters(string text)
    {
        var reader = new Reader(text);
        reader.SkipSpace();
        if (reader.AtEnd) return [];
        var parameters = new List<AbiParameter>();
        while (true)
        {
            parameters.Add(reader.Parameter(parameters.Count));
            reader.SkipSpace();
            if (reader.AtEnd) return parameters;
            reader.Expect(',');
        }
    }

    /// <summary>Splits "name(params)" into the name and its parameter list text.</summary>
    public static (string Name, string Parameters, string Trailing) SplitSignature(string signature)
    {
        var open = signature.IndexOf('(');
        if (open <= 0) throw new FormatException($"ABI: '{signature}' is not a signature like name(type,…)");
        var depth = 0;
        for (var i = open; i < signature.Length; i++)
        {
            if (signature[i] == '(') depth++;
            else if (signature[i] == ')' && --depth == 0)
                return (signature[..open].Trim(), signature[(open + 1)..i], signature[(i + 1)..].Trim());
        }
        throw new FormatException($"ABI: unbalanced parentheses in '{signature}'");
    }

    private sealed class Reader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public FormatException Error(string problem) =>
            new($"ABI: cannot parse type '{text}': {problem} at position {_position}");

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_position])) _position++;
        }

        public void Expect(char c)
        {
            SkipSpace();
            if (AtEnd || text[_position] != c) throw Error($"expected '{c}'");
            _position++;
        }

        private bool TryConsume(char c)
        {
            SkipSpace();
            if (AtEnd || text[_position] != c) return false;
            _position++;
            return true;
        }

        private string Word()
        {
            SkipSpace();
            var start = _position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '$')) _position++;
            return text[start.._position];
        }

        public AbiParameter Parameter(int index)
        {
            var type = Type();
            var indexed = false;
            var name = "";
            var word = Word();
            if (word == "indexed")
            {
                indexed = true;
                word = Word();
            }
            if (word is "memory" or "calldata" or "storage") word = Word();
            name = word;
            return new AbiParameter(name, type, indexed);
        }

        public AbiType Type()
        {
            SkipSpace();
            AbiType type;
            if (TryConsume('('))
            {
                var components = new List<AbiType>();
                if (!TryConsume(')'))
                {
                    do components.Add(Parameter(components.Count).Type);
                    while (TryConsume(','));
                    Expect(')');
                }
                type = new TupleType(components);
            }
            else
            {
                var word = Word();
                if (word.Length == 0) throw Error("expected a type");
                type = Elementary(word);
            }
            while (!AtEnd && text[_position] == '[')
            {
                _position++;
                var digits = Word();
                int? length = null;
                if (digits.Length > 0)
                {
                    if (!int.TryParse(digits, out var n) || n <= 0 || digits[0] == '0')
                        throw Error($"bad fixed array length '{digits}'");
                    length = n;
                }
                Expect(']');
                type = new ArrayType(type, length);
            }
            return type;
        }

        private AbiType Elementary(string word)
        {
            try
            {
                return word switch
                {
                    "address" => AbiType.Address,
                    "bool" => AbiType.Bool,
                    "string" => AbiType.String,
                    "bytes" => AbiType.Bytes,
                    "uint" => new UIntType(256),
                    "int" => new IntType(256),
                    _ when word.StartsWith("uint") && IsNumber(word[4..]) => new UIntType(int.Parse(word[4..])),
                    _ when word.StartsWith("int") && IsNumber(word[3..]) => new IntType(int.Parse(word[3..])),
                    _ when word.StartsWith("bytes") && IsNumber(word[5..]) => new FixedBytesType(int.Parse(word[5..])),
                    _ => throw Error($"unknown type '{word}'"),
                };
            }
            catch (FormatException e) when (!e.Message.StartsWith("ABI: cannot parse"))
            {
                throw Error(e.Message);
            }
        }

        private static bool IsNumber(string s) => s.Length is > 0 and <= 3 && s.All(char.IsAsciiDigit) && s[0] != '0';
    }
}
