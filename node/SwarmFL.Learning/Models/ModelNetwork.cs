using System.Runtime.InteropServices;
using SwarmFL.Learning.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Models;

/// <summary>
/// A built TorchSharp module of a <see cref="ModelDefinition"/> with strict weight transfer: every parameter and buffer
/// is matched by name, shape and dtype against the layout before anything is copied (<c>copy_</c> would broadcast a
/// [4] tensor into a [3,4] weight without complaint).
/// </summary>
public sealed class ModelNetwork : IDisposable
{
    private readonly Func<Tensor, Tensor> _forward;

    /// <summary>The module: call train() or eval() on it; its parameters go to the optimizer.</summary>
    public nn.Module Module { get; }
    public TensorLayout Layout { get; }

    public ModelNetwork(nn.Module<Tensor, Tensor> module, TensorLayout layout, string what) : this(module, module.call, layout, what) { }

    public ModelNetwork(jit.ScriptModule<Tensor, Tensor> module, TensorLayout layout, string what) : this(module, module.call, layout, what) { }

    private ModelNetwork(nn.Module module, Func<Tensor, Tensor> forward, TensorLayout layout, string what)
    {
        Module = module;
        _forward = forward;
        Layout = layout;
        var actual = LayoutOf(module, what);
        if (actual.Difference(layout, "the built module", "the model's layout") is { } difference)
            throw new ModelFormatException($"{what}: the module's tensors do not match the model's layout: {difference}");
    }

    public Tensor Forward(Tensor input) => _forward(input);

    public IEnumerable<TorchSharp.Modules.Parameter> Parameters() => Module.parameters();

    /// <summary>Every parameter and buffer of a module by its PyTorch name ("0.weight", "bn.num_batches_tracked").</summary>
    public static Dictionary<string, Tensor> StateOf(nn.Module module)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters()) state[name] = p;
        foreach (var (name, b) in module.named_buffers()) state.TryAdd(name, b);
        return state;
    }

    /// <summary>The layout a module has: float32 tensors as F32, int64 as I64; any other dtype is refused by name.</summary>
    public static TensorLayout LayoutOf(nn.Module module, string what)
    {
        var specs = new List<TensorSpec>();
        foreach (var (name, t) in StateOf(module))
        {
            var dtype = t.dtype switch
            {
                ScalarType.Float32 => TensorDType.F32,
                ScalarType.Int64 => TensorDType.I64,
                _ => throw new ModelFormatException($"{what}: tensor {name} has dtype {t.dtype}; only float32 parameters and buffers and int64 buffers are supported"),
            };
            specs.Add(new TensorSpec(name, t.shape.Select(d => (int)d).ToArray(), dtype));
        }
        if (specs.Count == 0) throw new ModelFormatException($"{what}: the module has no parameters or buffers");
        try { return new TensorLayout(specs); }
        catch (ArgumentException e) { throw new ModelFormatException($"{what}: {e.Message}", e); }
    }

    /// <summary>Copies weights into the module's parameters and buffers after checking every name, shape and dtype.</summary>
    public void LoadWeights(ModelWeights weights)
    {
        if (weights.Layout.Difference(Layout, "the weights", "the model") is { } difference)
            throw new ModelFileException($"the weights do not fit the model: {difference}");
        using var _ = no_grad();
        var state = StateOf(Module);
        for (var i = 0; i < Layout.Tensors.Count; i++)
        {
            var spec = Layout.Tensors[i];
            var target = state[spec.Name];
            var values = weights.Values[i];
            if (spec.DType == TensorDType.I64)
            {
                var integers = values.Select(v => IntegerBuffers.ToInteger(v, spec.Name)).ToArray();
                using var source = tensor(integers, target.shape);
                target.copy_(source);
                continue;
            }
            using var detached = target.detach();
            if (IsDenseFloat(detached))
            {
                // Straight into the tensor's memory: no staging tensor (a fresh native allocation every time).
                MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(detached.bytes);
                continue;
            }
            using var staged = tensor(values, target.shape);
            target.copy_(staged);
        }
    }

    /// <summary>The module's current parameters and buffers as model weights in layout order.</summary>
    public ModelWeights ReadWeights()
    {
        var values = new float[Layout.Tensors.Count][];
        // Read afresh: a module may rebind a buffer attribute (self.x = …) instead of updating it in place.
        var state = StateOf(Module);
        for (var i = 0; i < values.Length; i++)
        {
            var spec = Layout.Tensors[i];
            using var detached = state[spec.Name].detach().contiguous();
            if (spec.DType == TensorDType.I64)
            {
                values[i] = detached.data<long>().ToArray().Select(v => (float)IntegerBuffers.ToInteger(v, spec.Name)).ToArray();
                continue;
            }
            if (IsDenseFloat(detached))
            {
                values[i] = Aggregation.ResultArrays.Floats((int)detached.numel());
                MemoryMarshal.Cast<byte, float>(detached.bytes).CopyTo(values[i]);
            }
            else values[i] = detached.data<float>().ToArray();
        }
        return new ModelWeights(Layout, values);
    }

    private static bool IsDenseFloat(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();

    public void Dispose() => Module.Dispose();
}
