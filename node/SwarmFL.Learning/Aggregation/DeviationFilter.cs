using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>An update the deviation filter dropped, with its distance from the base model and the limit it exceeded.</summary>
public sealed record DroppedUpdate(ModelUpdate Update, double Distance, double Limit)
{
    public override string ToString() => $"{Update.Describe}: distance {Distance:G6} > limit {Limit:G6}";
}

public sealed record FilterResult(IReadOnlyList<ModelUpdate> Kept, IReadOnlyList<DroppedUpdate> Dropped, double MedianDistance);

/// <summary>
/// Drops updates whose L2 distance from the round's base model is over k × the median distance of all updates,
/// and reports which it dropped. Distances are computed by streaming over tensors.
/// </summary>
public sealed class DeviationFilter
{
    public double K { get; }

    public DeviationFilter(double k)
    {
        if (!(k > 0)) throw new ArgumentException($"deviation filter k must be positive, got {k}");
        K = k;
    }

    public FilterResult Apply(UpdateSet updates, ModelWeights baseModel, CancellationToken ct = default)
    {
        if (!baseModel.Layout.Tensors.SequenceEqual(updates.Layout.Tensors, TensorSpecComparer.Instance))
            throw new AggregationException("the base model's tensors differ from the updates' layout");
        var distances = updates.SquaredDistancesFrom(baseModel, ct).Select(Math.Sqrt).ToArray();
        var sorted = distances.OrderBy(d => d).ToArray();
        var n = sorted.Length;
        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        var limit = K * median;
        var kept = new List<ModelUpdate>();
        var dropped = new List<DroppedUpdate>();
        for (var u = 0; u < n; u++)
        {
            if (distances[u] > limit) dropped.Add(new DroppedUpdate(updates.Updates[u], distances[u], limit));
            else kept.Add(updates.Updates[u]);
        }
        return new FilterResult(kept, dropped, median);
    }

    private sealed class TensorSpecComparer : IEqualityComparer<Models.TensorSpec>
    {
        public static readonly TensorSpecComparer Instance = new();
        public bool Equals(Models.TensorSpec? a, Models.TensorSpec? b) => a is not null && b is not null && a.Name == b.Name && a.SameShape(b.Shape);
        public int GetHashCode(Models.TensorSpec t) => t.Name.GetHashCode();
    }
}
