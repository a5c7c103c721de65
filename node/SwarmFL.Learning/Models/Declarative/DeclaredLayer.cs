namespace SwarmFL.Learning.Models.Declarative;

/// <summary>
/// One validated layer of a declarative model: its position, type, optional module name and every field with defaults
/// filled in. Field values are <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> or a
/// <see cref="long"/>[] pair.
/// </summary>
public sealed record DeclaredLayer(int Index, string Type, string? Name, IReadOnlyDictionary<string, object> Fields)
{
    /// <summary>The PyTorch module name: the given name, else the index as nn.Sequential names it.</summary>
    public string ModuleName => Name ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Label => $"layer {Index} ({Type})";

    public long Int(string field) => (long)Fields[field];
    public double Number(string field) => (double)Fields[field];
    public bool Flag(string field) => (bool)Fields[field];
    public string Text(string field) => (string)Fields[field];

    /// <summary>A field that is an integer or a pair, as a pair.</summary>
    public (long First, long Second) Pair(string field) => Fields[field] switch
    {
        long v => (v, v),
        long[] p => (p[0], p[1]),
        var other => throw new InvalidOperationException($"{Label}: field {field} is {other}"),
    };
}

/// <summary>A parsed, validated declarative model file.</summary>
public sealed record DeclarativeSpec(string Name, IReadOnlyList<int> Input, string InputType, IReadOnlyList<DeclaredLayer> Layers)
{
    public const string Format = "swarmfl-model/1";
}
