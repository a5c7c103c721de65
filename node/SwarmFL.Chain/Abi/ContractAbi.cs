using System.Text.Json;

namespace SwarmFL.Chain.Abi;

/// <summary>A contract's ABI as solc / Hardhat write it (a JSON array of function, event, error and constructor entries).</summary>
public sealed class ContractAbi
{
    public required IReadOnlyList<AbiFunction> Functions { get; init; }
    public required IReadOnlyList<AbiEvent> Events { get; init; }
    public required IReadOnlyList<AbiError> Errors { get; init; }
    public required IReadOnlyList<AbiParameter> ConstructorInputs { get; init; }

    public static ContractAbi FromJson(JsonElement abi)
    {
        if (abi.ValueKind != JsonValueKind.Array) throw new FormatException("ABI JSON: expected an array of entries");
        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        IReadOnlyList<AbiParameter> constructorInputs = [];
        foreach (var entry in abi.EnumerateArray())
        {
            var kind = entry.TryGetProperty("type", out var t) ? t.GetString() : "function";
            var name = entry.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            switch (kind)
            {
                case "function":
                    functions.Add(new AbiFunction(name, Parameters(entry, "inputs"), Parameters(entry, "outputs")));
                    break;
                case "event":
                    events.Add(new AbiEvent(name, Parameters(entry, "inputs")));
                    break;
                case "error":
                    errors.Add(new AbiError(name, Parameters(entry, "inputs")));
                    break;
                case "constructor":
                    constructorInputs = Parameters(entry, "inputs");
                    break;
            }
        }
        return new ContractAbi { Functions = functions, Events = events, Errors = errors, ConstructorInputs = constructorInputs };
    }

    public AbiFunction Function(string name) =>
        Functions.SingleOrDefault(f => f.Name == name) ?? throw new KeyNotFoundException($"ABI has no function {name}");

    private static IReadOnlyList<AbiParameter> Parameters(JsonElement entry, string property)
    {
        if (!entry.TryGetProperty(property, out var list)) return [];
        return list.EnumerateArray().Select(p => new AbiParameter(
            p.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "",
            TypeOf(p),
            p.TryGetProperty("indexed", out var indexed) && indexed.GetBoolean())).ToArray();
    }

    /// <summary>"tuple[]" with "components" becomes "(…)[]".</summary>
    private static AbiType TypeOf(JsonElement parameter)
    {
        var type = parameter.GetProperty("type").GetString() ?? throw new FormatException("ABI JSON: parameter without type");
        if (!type.StartsWith("tuple")) return AbiType.Parse(type);
        var components = new TupleType(parameter.GetProperty("components").EnumerateArray().Select(TypeOf).ToArray());
        return AbiType.Parse(components.Canonical + type["tuple".Length..]);
    }
}
