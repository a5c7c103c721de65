using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Models.Declarative;

/// <summary>
/// The TorchSharp module of a declarative model: each layer registered under its module name (its index, as
/// nn.Sequential names it, or its "name"), run in order, so parameter names are PyTorch's ("0.weight", "fc1.bias").
/// </summary>
/// <remarks>
/// lstm and gru run batch-first and return a tuple; their documented output rule is applied here: "last" is the top
/// layer's output at the last time step [B, hidden], "sequence" all steps [B, T, hidden]. The equivalent PyTorch
/// module is an nn.Sequential with a small wrapper around each recurrent layer (docs/models.md).
/// </remarks>
public sealed class DeclarativeNetwork : nn.Module<Tensor, Tensor>
{
    private readonly List<(nn.Module Module, DeclaredLayer Layer)> _layers = [];

    public DeclarativeNetwork(DeclarativeSpec spec) : base(spec.Name)
    {
        var shape = spec.Input.ToArray();
        var shapes = DeclarativeShapes.Infer(spec, spec.Name).Outputs;
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            var module = Build(layer, shape);
            register_module(layer.ModuleName, module);
            _layers.Add((module, layer));
            shape = shapes[i].ToArray();
        }
    }

    private static nn.Module Build(DeclaredLayer layer, int[] input) => layer.Type switch
    {
        "linear" => nn.Linear(input[^1], layer.Int("out"), hasBias: layer.Flag("bias")),
        "conv1d" => nn.Conv1d(input[0], layer.Int("out"), layer.Int("kernel"), stride: layer.Int("stride"), padding: layer.Int("padding"), bias: layer.Flag("bias")),
        "conv2d" => nn.Conv2d(input[0], layer.Int("out"), layer.Int("kernel"), stride: layer.Int("stride"), padding: layer.Int("padding"), bias: layer.Flag("bias")),
        "batchnorm1d" => nn.BatchNorm1d(input[0], eps: layer.Number("eps"), momentum: layer.Number("momentum")),
        "batchnorm2d" => nn.BatchNorm2d(input[0], eps: layer.Number("eps"), momentum: layer.Number("momentum")),
        "layernorm" => nn.LayerNorm([input[^1]], eps: layer.Number("eps")),
        "dropout" => nn.Dropout(layer.Number("p")),
        "maxpool1d" => nn.MaxPool1d(layer.Int("kernel"), layer.Int("stride")),
        "maxpool2d" => nn.MaxPool2d(layer.Int("kernel"), layer.Int("stride")),
        "avgpool1d" => nn.AvgPool1d(layer.Int("kernel"), layer.Int("stride")),
        "avgpool2d" => nn.AvgPool2d(layer.Int("kernel"), layer.Int("stride")),
        "adaptiveavgpool1d" => nn.AdaptiveAvgPool1d(layer.Int("output")),
        "adaptiveavgpool2d" => nn.AdaptiveAvgPool2d([layer.Pair("output").First, layer.Pair("output").Second]),
        "flatten" => nn.Flatten(),
        "embedding" => nn.Embedding(layer.Int("num"), layer.Int("dim")),
        "lstm" => nn.LSTM(input[^1], layer.Int("hidden"), numLayers: layer.Int("layers"), batchFirst: true),
        "gru" => nn.GRU(input[^1], layer.Int("hidden"), numLayers: layer.Int("layers"), batchFirst: true),
        "relu" => nn.ReLU(),
        "gelu" => nn.GELU(),
        "silu" => nn.SiLU(),
        "tanh" => nn.Tanh(),
        "sigmoid" => nn.Sigmoid(),
        "leaky-relu" => nn.LeakyReLU(layer.Number("slope")),
        _ => throw new ModelFormatException($"{layer.Label}: no builder for this layer type"),
    };

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var (module, layer) in _layers)
        {
            var next = module switch
            {
                LSTM lstm => Recurrent(lstm.call(x).Item1, layer),
                GRU gru => Recurrent(gru.call(x).Item1, layer),
                nn.Module<Tensor, Tensor> m => m.call(x),
                _ => throw new InvalidOperationException($"{layer.Label}: not a tensor module"),
            };
            x = next;
        }
        return x;
    }

    private static Tensor Recurrent(Tensor output, DeclaredLayer layer) =>
        layer.Text("output") == "last" ? output.select(1, -1) : output;
}
