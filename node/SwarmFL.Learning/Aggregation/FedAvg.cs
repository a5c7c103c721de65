using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>FedAvg (McMahan et al. 2017): the average of the updates weighted by their sample counts.</summary>
/// <remarks>
/// Each coordinate is Σ nᵢ·xᵢ / Σ nᵢ, accumulated in double in canonical input order and rounded to float once.
/// For identical inputs every partial sum is exactly x·Σnᵢ (a float times an integer below 2²⁹ fits in a double), so
/// the result is bit-for-bit the input. Large tensors are split into blocks merged on several cores; the bytes do not
/// depend on <see cref="Threads"/>.
/// </remarks>
public sealed class FedAvg : IAggregationStrategy
{
    public string Name => "fedavg";

    /// <summary>Cores a merge may use: 0 (the default) means all of them, 1 merges on the calling thread only.</summary>
    public int Threads { get; init; }

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default) =>
        IntegerBufferRule.Apply(updates, WeightedMean(updates, Enumerable.Range(0, updates.Count).ToArray(), Threads, ct));

    /// <summary>The sample-weighted mean of a subset of the updates (indices into the canonical order).</summary>
    /// <remarks>
    /// Inputs are not scanned for NaN and ±∞ before the sums: the kernel reports a non-finite sum, which happens exactly
    /// when an input holds a non-finite value (see <see cref="Kernels.WeightedMean"/>), and only then are the inputs
    /// scanned, in canonical order, to name the first offender. Either way no merge is returned.
    /// </remarks>
    internal static ModelWeights WeightedMean(UpdateSet updates, int[] selected, int threads, CancellationToken ct)
    {
        var weights = selected.Select(u => (double)updates.Updates[u].Samples).ToArray();
        var total = 0.0;
        foreach (var w in weights) total += w;
        var values = new float[updates.Layout.Tensors.Count][];
        for (var t = 0; t < values.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            var inputs = selected.Select(u => updates.ReadSized(u, t)).ToArray();
            if (!TensorMean(inputs, weights, total, threads, ct, out values[t])) throw updates.NonFiniteInput(selected, t);
        }
        return new ModelWeights(updates.Layout, values);
    }

    /// <summary>
    /// The weighted mean of one tensor's inputs (<see cref="Kernels.WeightedMean"/>) in fixed blocks on up to
    /// <paramref name="threads"/> cores, into a fresh array; false when some sum is NaN or ±∞.
    /// </summary>
    internal static bool TensorMean(float[][] inputs, double[] weights, double total, int threads, CancellationToken ct, out float[] result)
    {
        var merged = ResultArrays.Floats(inputs[0].Length);
        result = merged;
        return BlockParallel.All(merged.Length, threads, ct,
            (begin, length) => Kernels.WeightedMean(inputs, weights, total, begin, merged.AsSpan(begin, length)));
    }
}
