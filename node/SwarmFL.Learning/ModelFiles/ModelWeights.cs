using SwarmFL.Crypto;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.ModelFiles;

/// <summary>A model's parameter values, one float32 array per tensor of a <see cref="TensorLayout"/>, in layout order.</summary>
public sealed class ModelWeights
{
    public TensorLayout Layout { get; }
    public IReadOnlyList<float[]> Values { get; }

    public ModelWeights(TensorLayout layout, IReadOnlyList<float[]> values)
    {
        if (values.Count != layout.Tensors.Count)
            throw new ArgumentException($"expected {layout.Tensors.Count} tensors, got {values.Count}");
        for (var i = 0; i < values.Count; i++)
            if (values[i].LongLength != layout.Tensors[i].ElementCount)
                throw new ArgumentException($"tensor {layout.Tensors[i].Name} needs {layout.Tensors[i].ElementCount} values, got {values[i].Length}");
        Layout = layout;
        Values = values;
    }

    public float[] this[string name]
    {
        get
        {
            for (var i = 0; i < Layout.Tensors.Count; i++)
                if (Layout.Tensors[i].Name == name) return Values[i];
            throw new KeyNotFoundException($"no tensor named {name}");
        }
    }

    public static ModelWeights Zeros(TensorLayout layout) =>
        new(layout, layout.Tensors.Select(t => new float[t.ElementCount]).ToArray());

    /// <summary>
    /// PyTorch's default initialisation for Linear and Conv2d (uniform in ±1/√fan_in for weights and biases), drawn from
    /// <see cref="DeterministicRandom"/> so a seed names the same genesis model on every node.
    /// </summary>
    public static ModelWeights Initial(ModelSpec spec, ulong seed)
    {
        var layout = spec.Layout();
        var values = new List<float[]>();
        foreach (var t in layout.Tensors)
        {
            var layer = t.Name[..t.Name.IndexOf('.')];
            var weight = layout.Find(layer + ".weight")!;
            var fanIn = weight.ElementCount / weight.Shape[0];
            values.Add(Uniform(t.Name, t.ElementCount, 1.0 / Math.Sqrt(fanIn), seed));
        }
        return new ModelWeights(layout, values);
    }

    /// <summary>Uniform in ±<paramref name="bound"/>, from a stream derived from the seed and the tensor's name.</summary>
    internal static float[] Uniform(string name, long count, double bound, ulong seed)
    {
        var random = TensorRandom(name, seed);
        var data = new float[count];
        for (var i = 0; i < data.Length; i++) data[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        return data;
    }

    /// <summary>Standard normal values (Embedding's default), from a stream derived from the seed and the tensor's name.</summary>
    internal static float[] Gaussian(string name, long count, ulong seed)
    {
        var random = TensorRandom(name, seed);
        var data = new float[count];
        for (var i = 0; i < data.Length; i++) data[i] = (float)random.NextGaussian();
        return data;
    }

    private static DeterministicRandom TensorRandom(string name, ulong seed) =>
        new(DeterministicRandom.Derive(seed, (ulong)StableHash(name)));

    /// <summary>The canonical safetensors bytes of these weights.</summary>
    public byte[] ToSafeTensors() => SafeTensors.Encode(this);

    public ContentId ContentId() => Crypto.ContentId.Of(ToSafeTensors());

    public bool AllFinite() => Values.All(v => Aggregation.Kernels.AllFinite(v));

    /// <summary>Euclidean distance over all parameters, accumulated in double in layout order.</summary>
    public double DistanceTo(ModelWeights other)
    {
        double sum = 0;
        for (var t = 0; t < Values.Count; t++)
        {
            var (a, b) = (Values[t], other.Values[t]);
            for (var i = 0; i < a.Length; i++)
            {
                var d = (double)a[i] - b[i];
                sum += d * d;
            }
        }
        return Math.Sqrt(sum);
    }

    public bool BitwiseEquals(ModelWeights other)
    {
        if (Values.Count != other.Values.Count) return false;
        for (var t = 0; t < Values.Count; t++)
            if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values[t].AsSpan())
                    .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(other.Values[t].AsSpan())))
                return false;
        return true;
    }

    private static uint StableHash(string s)
    {
        uint h = 2166136261;
        foreach (var c in s) h = (h ^ c) * 16777619;
        return h;
    }
}
