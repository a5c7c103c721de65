using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SwarmFL.Learning.Models;

/// <summary>
/// What a swarm trains: a named architecture and the hyperparameters that fix its tensors. The swarm pins it on chain
/// by <see cref="Hash"/>, the SHA-256 of <see cref="CanonicalJson"/>.
/// </summary>
/// <remarks>
/// Canonical encoding: compact UTF-8 JSON, no whitespace, keys in ordinal order, integers only, and only the keys the
/// architecture uses. For an MLP: <c>{"architecture":"mlp","classes":10,"dense":[200,200],"input":[1,28,28],"name":"mnist-2nn"}</c>.
/// For a CNN: <c>{"architecture":"cnn","classes":10,"conv":[32,64],"dense":[512],"input":[1,28,28],"kernel":5,"name":"mnist-cnn","pool":2}</c>.
/// CNN layers are "same"-padded k×k convolutions, each followed by ReLU and a pool×pool max pool; then the dense
/// layers with ReLU; then a linear layer to the classes. An MLP flattens the input, then dense layers with ReLU, then
/// a linear layer to the classes.
/// </remarks>
public sealed record ModelSpec
{
    public const string Mlp = "mlp";
    public const string Cnn = "cnn";

    public required string Name { get; init; }
    public required string Architecture { get; init; }
    /// <summary>Channels, height, width.</summary>
    public required IReadOnlyList<int> Input { get; init; }
    public required int Classes { get; init; }
    /// <summary>Convolution output channels, in order (CNN only).</summary>
    public IReadOnlyList<int> Conv { get; init; } = [];
    public int Kernel { get; init; }
    public int Pool { get; init; }
    /// <summary>Hidden fully connected layer widths, in order.</summary>
    public IReadOnlyList<int> Dense { get; init; } = [];

    /// <summary>The FedAvg paper's MNIST "2NN": 784-200-200-10 with ReLU, 199 210 parameters.</summary>
    public static ModelSpec Mnist2nn { get; } = new()
    {
        Name = "mnist-2nn", Architecture = Mlp, Input = [1, 28, 28], Classes = 10, Dense = [200, 200],
    };

    /// <summary>The FedAvg paper's MNIST CNN: 5×5 conv 32, max pool, 5×5 conv 64, max pool, FC 512, FC 10; 1 663 370 parameters.</summary>
    public static ModelSpec MnistCnn { get; } = new()
    {
        Name = "mnist-cnn", Architecture = Cnn, Input = [1, 28, 28], Classes = 10, Conv = [32, 64], Kernel = 5, Pool = 2, Dense = [512],
    };

    public static IReadOnlyList<ModelSpec> BuiltIn { get; } = [Mnist2nn, MnistCnn];

    /// <summary>A built-in spec by name (mnist-2nn, mnist-cnn).</summary>
    public static ModelSpec ByName(string name) =>
        BuiltIn.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"unknown model '{name}'; built-in models: {string.Join(", ", BuiltIn.Select(s => s.Name))}");

    public string CanonicalJson => Encoding.UTF8.GetString(CanonicalBytes());

    public byte[] CanonicalBytes()
    {
        Validate();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            // Keys are written in ordinal order by hand; do not reorder.
            json.WriteStartObject();
            json.WriteString("architecture", Architecture);
            json.WriteNumber("classes", Classes);
            if (Architecture == Cnn) WriteInts(json, "conv", Conv);
            WriteInts(json, "dense", Dense);
            WriteInts(json, "input", Input);
            if (Architecture == Cnn) json.WriteNumber("kernel", Kernel);
            json.WriteString("name", Name);
            if (Architecture == Cnn) json.WriteNumber("pool", Pool);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>SHA-256 of the canonical JSON: the 32 bytes the chain stores.</summary>
    public byte[] Hash() => SHA256.HashData(CanonicalBytes());

    public string HashHex => "0x" + Convert.ToHexStringLower(Hash());

    /// <summary>Reads a spec from JSON (any key order); unknown keys and missing keys are errors.</summary>
    public static ModelSpec FromJson(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("a model spec is a JSON object");
            var known = new HashSet<string> { "architecture", "classes", "conv", "dense", "input", "kernel", "name", "pool" };
            foreach (var p in root.EnumerateObject())
                if (!known.Contains(p.Name)) throw new FormatException($"unknown model spec key '{p.Name}'");
            var architecture = root.GetProperty("architecture").GetString() ?? "";
            var spec = new ModelSpec
            {
                Name = root.GetProperty("name").GetString() ?? "",
                Architecture = architecture,
                Input = Ints(root.GetProperty("input")),
                Classes = root.GetProperty("classes").GetInt32(),
                Dense = Ints(root.GetProperty("dense")),
                Conv = architecture == Cnn ? Ints(root.GetProperty("conv")) : [],
                Kernel = architecture == Cnn ? root.GetProperty("kernel").GetInt32() : 0,
                Pool = architecture == Cnn ? root.GetProperty("pool").GetInt32() : 0,
            };
            spec.Validate();
            return spec;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"invalid model spec JSON: {e.Message}", e);
        }
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new FormatException("model spec needs a name");
        if (Input.Count != 3 || Input.Any(d => d <= 0)) throw new FormatException("model spec input must be [channels, height, width], all positive");
        if (Classes < 2) throw new FormatException("model spec needs at least 2 classes");
        if (Dense.Any(d => d <= 0)) throw new FormatException("dense layer widths must be positive");
        switch (Architecture)
        {
            case Mlp:
                if (Conv.Count != 0 || Kernel != 0 || Pool != 0) throw new FormatException("an mlp has no conv, kernel or pool");
                break;
            case Cnn:
                if (Conv.Count == 0 || Conv.Any(c => c <= 0)) throw new FormatException("a cnn needs positive conv channel counts");
                if (Kernel <= 0 || Kernel % 2 == 0) throw new FormatException("a cnn kernel must be odd and positive (same padding)");
                if (Pool <= 0) throw new FormatException("a cnn pool size must be positive");
                var (h, w) = (Input[1], Input[2]);
                foreach (var _ in Conv) { h /= Pool; w /= Pool; }
                if (h <= 0 || w <= 0) throw new FormatException("too many pooling layers for the input size");
                break;
            default:
                throw new FormatException($"unknown architecture '{Architecture}' (mlp or cnn)");
        }
    }

    /// <summary>The parameter tensors this spec defines, named as PyTorch names them.</summary>
    public TensorLayout Layout()
    {
        Validate();
        var tensors = new List<TensorSpec>();
        int features;
        if (Architecture == Cnn)
        {
            var channels = Input[0];
            var (h, w) = (Input[1], Input[2]);
            for (var i = 0; i < Conv.Count; i++)
            {
                tensors.Add(new($"conv{i + 1}.weight", [Conv[i], channels, Kernel, Kernel]));
                tensors.Add(new($"conv{i + 1}.bias", [Conv[i]]));
                channels = Conv[i];
                h /= Pool;
                w /= Pool;
            }
            features = channels * h * w;
        }
        else
        {
            features = Input[0] * Input[1] * Input[2];
        }
        var widths = Dense.Append(Classes).ToArray();
        for (var i = 0; i < widths.Length; i++)
        {
            tensors.Add(new($"fc{i + 1}.weight", [widths[i], features]));
            tensors.Add(new($"fc{i + 1}.bias", [widths[i]]));
            features = widths[i];
        }
        return new TensorLayout(tensors);
    }

    /// <summary>The output width of the last convolution block, flattened (CNN), or the flattened input (MLP).</summary>
    public int FlattenedFeatures => Layout().Find("fc1.weight")!.Shape[1];

    public override string ToString() => CanonicalJson;

    /// <summary>A spec is a built-in model wherever a <see cref="ModelDefinition"/> is asked for.</summary>
    public static implicit operator ModelDefinition(ModelSpec spec) => Models.BuiltIn.BuiltInModel.Of(spec);

    private static void WriteInts(Utf8JsonWriter json, string name, IReadOnlyList<int> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
