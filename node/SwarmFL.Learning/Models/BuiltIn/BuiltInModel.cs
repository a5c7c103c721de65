using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Models.BuiltIn;

/// <summary>
/// A built-in model (<c>mnist-2nn</c>, <c>mnist-cnn</c>): a <see cref="ModelSpec"/> built as <see cref="SpecNetwork"/>.
/// Its bytes are the spec's canonical JSON, so its hash is the model spec hash swarms have always pinned, and its
/// initial weights, parameter names and content ids are unchanged.
/// </summary>
public sealed class BuiltInModel : ModelDefinition
{
    private readonly byte[] _bytes;

    public ModelSpec Spec { get; }

    private BuiltInModel(ModelSpec spec)
    {
        Spec = spec;
        _bytes = spec.CanonicalBytes();
        Layout = spec.Layout();
    }

    public static BuiltInModel Mnist2nn { get; } = new(ModelSpec.Mnist2nn);
    public static BuiltInModel MnistCnn { get; } = new(ModelSpec.MnistCnn);
    public static IReadOnlyList<BuiltInModel> All { get; } = [Mnist2nn, MnistCnn];

    /// <summary>The built-in model of a spec (any spec a <see cref="ModelSpec"/> validates, not only the two named ones).</summary>
    public static BuiltInModel Of(ModelSpec spec) => All.FirstOrDefault(m => m.HashHex == spec.HashHex) ?? new BuiltInModel(spec);

    public static BuiltInModel? ByName(string name) => All.FirstOrDefault(m => m.Name == name);

    public override ModelKind Kind => ModelKind.BuiltIn;
    public override string Name => Spec.Name;
    public override byte[] FileBytes => _bytes;
    public override TensorLayout Layout { get; }
    public override IReadOnlyList<int> InputShape => Spec.Input;
    public override bool UsesRandomness => false;

    public override ModelNetwork Build() => new(new SpecNetwork(Spec), Layout, Name);

    public override ModelWeights Initial(ulong seed) => ModelWeights.Initial(Spec, seed);
}
