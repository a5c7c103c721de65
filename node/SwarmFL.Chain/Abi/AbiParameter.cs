namespace SwarmFL.Chain.Abi;

/// <summary>A named function, event or error parameter; <see cref="Indexed"/> only matters for events.</summary>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false)
{
    public override string ToString() => Indexed ? $"{Type} indexed {Name}" : $"{Type} {Name}".TrimEnd();
}
