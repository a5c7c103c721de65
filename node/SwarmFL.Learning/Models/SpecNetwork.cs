using System.Runtime.InteropServices;
using SwarmFL.Learning.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Models;

/// <summary>
/// The TorchSharp network a <see cref="ModelSpec"/> describes. Its parameter names ("conv1.weight", "fc2.bias") are
/// the tensor names of the spec's layout, so weights move between the network and model files by name.
/// </summary>
public sealed class SpecNetwork : nn.Module<Tensor, Tensor>
{
    private readonly List<Conv2d> _convolutions = [];
    private readonly List<Linear> _dense = [];
    private readonly int _pool;

    public ModelSpec Spec { get; }
    public TensorLayout Layout { get; }

    public SpecNetwork(ModelSpec spec) : base(spec.Name)
    {
        Spec = spec;
        Layout = spec.Layout();
        _pool = spec.Pool;
        var channels = (long)spec.Input[0];
        for (var i = 0; i < spec.Conv.Count; i++)
        {
            var conv = nn.Conv2d(channels, spec.Conv[i], spec.Kernel, padding: spec.Kernel / 2);
            register_module($"conv{i + 1}", conv);
            _convolutions.Add(conv);
            channels = spec.Conv[i];
        }
        long features = spec.FlattenedFeatures;
        var widths = spec.Dense.Append(spec.Classes).ToArray();
        for (var i = 0; i < widths.Length; i++)
        {
            var linear = nn.Linear(features, widths[i]);
            register_module($"fc{i + 1}", linear);
            _dense.Add(linear);
            features = widths[i];
        }
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var conv in _convolutions)
            x = nn.functional.max_pool2d(nn.functional.relu(conv.call(x)), _pool);
        x = x.flatten(1);
        for (var i = 0; i < _dense.Count - 1; i++) x = nn.functional.relu(_dense[i].call(x));
        return _dense[^1].call(x);
    }

    /// <summary>Copies weights into the network's parameters, checking every name and size.</summary>
    public void LoadWeights(ModelWeights weights)
    {
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (parameters.Count != weights.Layout.Tensors.Count)
            throw new ArgumentException($"the network has {parameters.Count} parameter tensors, the weights {weights.Layout.Tensors.Count}");
        using var _ = no_grad();
        for (var i = 0; i < weights.Layout.Tensors.Count; i++)
        {
            var spec = weights.Layout.Tensors[i];
            if (!parameters.TryGetValue(spec.Name, out var p)) throw new ArgumentException($"the network has no parameter {spec.Name}");
            if (!p.shape.Select(d => (int)d).SequenceEqual(spec.Shape))
                throw new ArgumentException($"parameter {spec.Name} is [{string.Join(",", p.shape)}], the weights {spec.ShapeText}");
            using var target = p.detach();
            if (IsDenseFloat(target))
            {
                // Straight into the parameter's memory: no staging tensor (a fresh native allocation every time).
                MemoryMarshal.AsBytes(weights.Values[i].AsSpan()).CopyTo(target.bytes);
                continue;
            }
            using var source = tensor(weights.Values[i], p.shape);
            p.copy_(source);
        }
    }

    /// <summary>The network's current parameters as model weights in layout order.</summary>
    public ModelWeights ReadWeights()
    {
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var values = new float[Layout.Tensors.Count][];
        for (var i = 0; i < values.Length; i++)
        {
            using var detached = parameters[Layout.Tensors[i].Name].detach().contiguous();
            if (IsDenseFloat(detached))
            {
                // A memory copy out of the tensor's storage; the element-wise accessor copy took ~10 ms per model.
                values[i] = Aggregation.ResultArrays.Floats((int)detached.numel());
                MemoryMarshal.Cast<byte, float>(detached.bytes).CopyTo(values[i]);
            }
            else values[i] = detached.data<float>().ToArray();
        }
        return new ModelWeights(Layout, values);
    }

    /// <summary>A contiguous float32 CPU tensor, whose <see cref="Tensor.bytes"/> is a view of its storage.</summary>
    private static bool IsDenseFloat(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();

    public long ParameterCount => parameters().Sum(p => p.numel());
}
