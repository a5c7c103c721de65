namespace SwarmFL.Learning.Models;

/// <summary>One named parameter tensor of a model: its name as PyTorch would print it ("conv1.weight") and its shape.</summary>
public sealed record TensorSpec(string Name, IReadOnlyList<int> Shape)
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

    public bool SameShape(IReadOnlyList<int> other) => Shape.SequenceEqual(other);
}

/// <summary>
/// The parameter tensors of a model in canonical order: ordinal order of their names. Model files, aggregation
/// and training all walk tensors in this order, so every node does the same arithmetic in the same sequence.
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
            if (t.Shape.Count == 0 || t.Shape.Any(d => d <= 0)) throw new ArgumentException($"tensor {t.Name} has an invalid shape {t.ShapeText}");
        Tensors = sorted;
    }

    public long ParameterCount => Tensors.Sum(t => t.ElementCount);

    public TensorSpec? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    public override string ToString() => string.Join(", ", Tensors.Select(t => $"{t.Name}{t.ShapeText}"));
}
