using SwarmFL.Learning.ModelFiles;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Models.Declarative;

/// <summary>
/// A model described by a <c>swarmfl-model/1</c> JSON file: validated and shape-checked when read, pinned by the SHA-256
/// of its canonical form, built as a <see cref="DeclarativeNetwork"/>. It runs no code from the file.
/// </summary>
public sealed class DeclarativeModel : ModelDefinition
{
    private readonly byte[] _canonical;

    public DeclarativeSpec Spec { get; }
    public IReadOnlyList<int> OutputShape { get; }

    private DeclarativeModel(DeclarativeSpec spec, string what)
    {
        Spec = spec;
        var shapes = DeclarativeShapes.Infer(spec, what);
        OutputShape = shapes.Output;
        try { Layout = new TensorLayout(shapes.Tensors); }
        catch (ArgumentException e) { throw new ModelFormatException($"{what}: {e.Message}", e); }
        _canonical = CanonicalForm.Encode(spec);
    }

    /// <summary>Reads and validates a declarative file; <paramref name="what"/> (the path) prefixes every error.</summary>
    public static DeclarativeModel Parse(ReadOnlySpan<byte> utf8, string what) => new(DeclarativeParser.Parse(utf8, what), what);

    public static DeclarativeModel Parse(string json, string what = "model") => new(DeclarativeParser.Parse(json, what), what);

    public static DeclarativeModel Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the model file: {e.Message}", e);
        }
        return Parse(bytes, path);
    }

    public override ModelKind Kind => ModelKind.Declarative;
    public override string Name => Spec.Name;
    public override byte[] FileBytes => _canonical;
    public override TensorLayout Layout { get; }
    public override IReadOnlyList<int> InputShape => Spec.Input;
    public override ScalarType InputType => Spec.InputType == "int64" ? ScalarType.Int64 : ScalarType.Float32;

    public override bool UsesRandomness => Spec.Layers.Any(l => l.Type == "dropout");

    public string CanonicalJson => System.Text.Encoding.UTF8.GetString(_canonical);

    public override ModelNetwork Build() => new(new DeclarativeNetwork(Spec), Layout, Name);

    /// <summary>
    /// PyTorch's default initialisation, drawn from <see cref="DeterministicRandom"/> per tensor name as the built-in
    /// models do (so a JSON mnist-2nn with the built-in's names starts from the built-in's bytes): linear and conv weights
    /// and biases uniform in ±1/√fan_in; lstm/gru uniform in ±1/√hidden; embedding standard normal; norm weights 1,
    /// biases 0; running mean 0, running variance 1, num_batches_tracked 0.
    /// </summary>
    public override ModelWeights Initial(ulong seed)
    {
        var values = new List<float[]>();
        foreach (var t in Layout.Tensors)
        {
            var dot = t.Name.LastIndexOf('.');
            var (module, tensor) = (t.Name[..dot], t.Name[(dot + 1)..]);
            var layer = Spec.Layers.First(l => l.ModuleName == module);
            values.Add(layer.Type switch
            {
                "linear" or "conv1d" or "conv2d" => ModelWeights.Uniform(t.Name, t.ElementCount, 1.0 / Math.Sqrt(FanIn(module)), seed),
                "lstm" or "gru" => ModelWeights.Uniform(t.Name, t.ElementCount, 1.0 / Math.Sqrt(layer.Int("hidden")), seed),
                "embedding" => ModelWeights.Gaussian(t.Name, t.ElementCount, seed),
                _ => Constant(t.ElementCount, tensor is "weight" or "running_var" ? 1f : 0f),
            });
        }
        return new ModelWeights(Layout, values);
    }

    private long FanIn(string module)
    {
        var weight = Layout.Find(module + ".weight")!;
        return weight.ElementCount / weight.Shape[0];
    }

    private static float[] Constant(long count, float value)
    {
        var data = new float[count];
        Array.Fill(data, value);
        return data;
    }
}
