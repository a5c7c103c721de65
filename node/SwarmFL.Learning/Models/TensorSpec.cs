namespace SwarmFL.Learning.Models;

/// <summary>The element types a model file holds, by their safetensors names.</summary>
public enum TensorDType
{
    /// <summary>float32: parameters and float buffers (BatchNorm's running statistics); they take part in aggregation.</summary>
    F32,
    /// <summary>
    /// int64: integer buffers such as BatchNorm's <c>num_batches_tracked</c>. In memory they ride in a float array as exact
    /// integers (|v| ≤ 2²⁴); a merge takes their element-wise maximum (see <see cref="Aggregation.IntegerBufferRule"/>).
    /// </summary>
    I64,
}

/// <summary>
/// One named tensor of a model (a parameter or a buffer): its name as PyTorch would print it ("conv1.weight"), its
/// shape and its element type.
/// </summary>
public sealed record TensorSpec(string Name, IReadOnlyList<int> Shape, TensorDType DType = TensorDType.F32)
{
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var d in Shape) count *= d;
            return count;
        }
    }

    public string ShapeText => "[" + string.Join(",", Shape) + "]";

    /// <summary>The shape and, when it is not float32, the dtype: "[64,32,5,5]", "[] I64".</summary>
    public string Describe => DType == TensorDType.F32 ? ShapeText : $"{ShapeText} {DType}";

    public int ElementBytes => DType == TensorDType.I64 ? 8 : 4;

    public bool SameShape(IReadOnlyList<int> other) => Shape.SequenceEqual(other);
}

/// <summary>
/// The tensors of a model in canonical order: ordinal order of their names. Model files, aggregation and training all
/// walk tensors in this order, so every node does the same arithmetic in the same sequence.
/// </summary>
public sealed class TensorLayout
{
    public IReadOnlyList<TensorSpec> Tensors { get; }

    public TensorLayout(IEnumerable<TensorSpec> tensors)
    {
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("a tensor layout needs at least one tensor");
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i].Name == sorted[i - 1].Name) throw new ArgumentException($"duplicate tensor name {sorted[i].Name}");
        foreach (var t in sorted)
        {
            // A scalar (shape []) is allowed for integer buffers only: num_batches_tracked is one.
            var scalarAllowed = t.DType == TensorDType.I64 && t.Shape.Count == 0;
            if ((t.Shape.Count == 0 && !scalarAllowed) || t.Shape.Any(d => d <= 0))
                throw new ArgumentException($"tensor {t.Name} has an invalid shape {t.ShapeText}");
        }
        Tensors = sorted;
    }

    public long ParameterCount => Tensors.Sum(t => t.ElementCount);

    public bool HasIntegerTensors => Tensors.Any(t => t.DType != TensorDType.F32);

    public TensorSpec? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    /// <summary>True when both layouts hold the same names, shapes and dtypes.</summary>
    public bool SameAs(TensorLayout other) =>
        Tensors.Count == other.Tensors.Count && Tensors.Zip(other.Tensors).All(p => p.First.Name == p.Second.Name
            && p.First.SameShape(p.Second.Shape) && p.First.DType == p.Second.DType);

    /// <summary>Names every difference from <paramref name="other"/> (missing, unexpected, shape or dtype), or null when the same.</summary>
    public string? Difference(TensorLayout other, string thisName = "the model", string otherName = "the weights")
    {
        var problems = new List<string>();
        foreach (var t in Tensors)
        {
            var o = other.Find(t.Name);
            if (o is null) problems.Add($"{otherName} lack {t.Name}{t.Describe}");
            else if (!t.SameShape(o.Shape) || t.DType != o.DType) problems.Add($"{t.Name} is {t.Describe} in {thisName}, {o.Describe} in {otherName}");
        }
        foreach (var o in other.Tensors)
            if (Find(o.Name) is null) problems.Add($"{thisName} has no tensor {o.Name} (in {otherName} as {o.Describe})");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    public override string ToString() => string.Join(", ", Tensors.Select(t => $"{t.Name}{t.Describe}"));
}
