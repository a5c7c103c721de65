using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>FedAvg (McMahan et al. 2017): the average of the updates weighted by their sample counts.</summary>
/// <remarks>
/// Each coordinate is Σ nᵢ·xᵢ / Σ nᵢ, accumulated in double in canonical input order and rounded to float once.
/// For identical inputs every partial sum is exactly x·Σnᵢ (a float times an integer below 2²⁹ fits in a double), so
/// the result is bit-for-bit the input.
/// </remarks>
public sealed class FedAvg : IAggregationStrategy
{
    public string Name => "fedavg";

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default) =>
        WeightedMean(updates, Enumerable.Range(0, updates.Count).ToArray(), ct);

    /// <summary>The sample-weighted mean of a subset of the updates (indices into the canonical order).</summary>
    internal static ModelWeights WeightedMean(UpdateSet updates, int[] selected, CancellationToken ct)
    {
        var total = 0.0;
        foreach (var u in selected) total += updates.Updates[u].Samples;
        var values = new float[updates.Layout.Tensors.Count][];
        var acc = new double[updates.Layout.Tensors.Max(t => t.ElementCount)];
        for (var t = 0; t < values.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            var length = (int)updates.Layout.Tensors[t].ElementCount;
            Array.Clear(acc, 0, length);
            if (selected.Length == updates.Count)
            {
                var column = updates.ReadColumn(t);
                foreach (var u in selected) Accumulate(acc, column[u], updates.Updates[u].Samples);
            }
            else
            {
                foreach (var u in selected) Accumulate(acc, updates.ReadOne(u, t), updates.Updates[u].Samples);
            }
            var result = new float[length];
            Kernels.Divide(acc.AsSpan(0, length), total, result);
            values[t] = result;
        }
        return new ModelWeights(updates.Layout, values);
    }

    private static void Accumulate(double[] acc, float[] x, long weight) => Kernels.AccumulateWeighted(acc, x, weight);
}
