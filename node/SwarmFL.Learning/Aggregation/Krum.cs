using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// Krum and Multi-Krum (Blanchard et al. 2017). Each update is scored by the sum of squared distances to its
/// n − f − 2 nearest other updates; Krum (m = 1) returns the best-scored update unchanged, Multi-Krum returns the
/// sample-weighted mean of the m best. Ties go to the earlier update in canonical order.
/// </summary>
public sealed class Krum : IAggregationStrategy
{
    public int F { get; }
    public int M { get; }

    public Krum(int f, int m = 1)
    {
        if (f < 0) throw new ArgumentException($"Krum f must be ≥ 0, got {f}");
        if (m < 1) throw new ArgumentException($"Multi-Krum m must be ≥ 1, got {m}");
        F = f;
        M = m;
    }

    /// <summary>Cores a merge may use: 0 (the default) means all of them, 1 the calling thread only. The bytes do not depend on it.</summary>
    public int Threads { get; init; }

    public string Name => M == 1 ? $"krum:{F}" : $"multi-krum:{F}:{M}";

    /// <summary>The canonical indices Krum selects, best first, with every update's score.</summary>
    public (int[] Selected, double[] Scores) Select(UpdateSet updates, CancellationToken ct = default)
    {
        var n = updates.Count;
        if (n < 2 * F + 3)
            throw new AggregationException($"Krum with f={F} needs at least {2 * F + 3} updates, got {n}");
        if (M > n - F)
            throw new AggregationException($"Multi-Krum m={M} exceeds n − f = {n - F}");
        var distances = updates.PairwiseSquaredDistances(ct, Threads);
        var neighbours = n - F - 2;
        var scores = new double[n];
        var row = new double[n - 1];
        for (var i = 0; i < n; i++)
        {
            var k = 0;
            for (var j = 0; j < n; j++) if (j != i) row[k++] = distances[i, j];
            Array.Sort(row);
            double s = 0;
            for (var j = 0; j < neighbours; j++) s += row[j];
            scores[i] = s;
        }
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ThenBy(i => i).Take(M).ToArray();
        return (order, scores);
    }

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default)
    {
        var (selected, _) = Select(updates, ct);
        if (selected.Length == 1)
        {
            var values = new float[updates.Layout.Tensors.Count][];
            for (var t = 0; t < values.Length; t++)
            {
                var chosen = updates.ReadOne(selected[0], t);
                values[t] = ResultArrays.Floats(chosen.Length);
                chosen.CopyTo(values[t], 0);
            }
            return IntegerBufferRule.Apply(updates, new ModelWeights(updates.Layout, values));
        }
        Array.Sort(selected);
        return IntegerBufferRule.Apply(updates, FedAvg.WeightedMean(updates, selected, Threads, ct));
    }
}
