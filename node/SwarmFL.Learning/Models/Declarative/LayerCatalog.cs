namespace SwarmFL.Learning.Models.Declarative;

/// <summary>How a layer field's JSON value is read and checked.</summary>
public enum FieldKind
{
    /// <summary>An integer ≥ 1.</summary>
    Positive,
    /// <summary>An integer ≥ 0.</summary>
    NonNegative,
    Boolean,
    /// <summary>A number in [0, 1).</summary>
    Probability,
    /// <summary>A number in [0, 1].</summary>
    Fraction,
    /// <summary>A number &gt; 0.</summary>
    PositiveNumber,
    /// <summary>Any finite number.</summary>
    Number,
    /// <summary>An integer ≥ 1, or (2-d pooling) a pair of them.</summary>
    PositiveOrPair,
    /// <summary>"last" or "sequence" (the output rule of lstm and gru).</summary>
    RecurrentOutput,
}

/// <summary>A field of a layer type; <see cref="Default"/> null means required, <see cref="SameAs"/> defaults to another field's value.</summary>
public sealed record FieldRule(string Name, FieldKind Kind, object? Default = null, string? SameAs = null)
{
    public bool Required => Default is null && SameAs is null;
}

/// <summary>The layer types of <c>swarmfl-model/1</c>, their fields and defaults (docs/models.md lists the same table).</summary>
public static class LayerCatalog
{
    private static readonly FieldRule[] None = [];

    private static FieldRule[] Conv() =>
    [
        new("out", FieldKind.Positive), new("kernel", FieldKind.Positive), new("stride", FieldKind.Positive, 1L),
        new("padding", FieldKind.NonNegative, 0L), new("bias", FieldKind.Boolean, true),
    ];

    private static FieldRule[] Pool() => [new("kernel", FieldKind.Positive), new("stride", FieldKind.Positive, SameAs: "kernel")];

    private static FieldRule[] Recurrent() =>
        [new("hidden", FieldKind.Positive), new("layers", FieldKind.Positive, 1L), new("output", FieldKind.RecurrentOutput, "last")];

    public static IReadOnlyDictionary<string, FieldRule[]> Types { get; } = new Dictionary<string, FieldRule[]>(StringComparer.Ordinal)
    {
        ["linear"] = [new("out", FieldKind.Positive), new("bias", FieldKind.Boolean, true)],
        ["conv1d"] = Conv(),
        ["conv2d"] = Conv(),
        ["batchnorm1d"] = [new("eps", FieldKind.PositiveNumber, 1e-5), new("momentum", FieldKind.Fraction, 0.1)],
        ["batchnorm2d"] = [new("eps", FieldKind.PositiveNumber, 1e-5), new("momentum", FieldKind.Fraction, 0.1)],
        ["layernorm"] = [new("eps", FieldKind.PositiveNumber, 1e-5)],
        ["dropout"] = [new("p", FieldKind.Probability, 0.5)],
        ["maxpool1d"] = Pool(),
        ["maxpool2d"] = Pool(),
        ["avgpool1d"] = Pool(),
        ["avgpool2d"] = Pool(),
        ["adaptiveavgpool1d"] = [new("output", FieldKind.Positive)],
        ["adaptiveavgpool2d"] = [new("output", FieldKind.PositiveOrPair)],
        ["flatten"] = None,
        ["embedding"] = [new("num", FieldKind.Positive), new("dim", FieldKind.Positive)],
        ["lstm"] = Recurrent(),
        ["gru"] = Recurrent(),
        ["relu"] = None,
        ["gelu"] = None,
        ["silu"] = None,
        ["tanh"] = None,
        ["sigmoid"] = None,
        ["leaky-relu"] = [new("slope", FieldKind.Number, 0.01)],
    };

    /// <summary>Layer types that hold parameters (and so may be named for PyTorch).</summary>
    public static bool HasParameters(string type) => type is "linear" or "conv1d" or "conv2d" or "batchnorm1d" or "batchnorm2d"
        or "layernorm" or "embedding" or "lstm" or "gru";
}
