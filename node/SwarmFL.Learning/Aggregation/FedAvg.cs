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
    private const int Block = 2048;

    public string Name => "fedavg";

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default) =>
        WeightedMean(updates, Enumerable.Range(0, updates.Count).ToArray(), ct);

    /// <summary>The sample-weighted mean of a subset of the updates (indices into the canonical order).</summary>
    internal static ModelWeights WeightedMean(UpdateSet updates, int[] selected, CancellationToken ct)
    {
        var total = 0.0;
        foreach (var u in selected) total += updates.Updates[u].Samples;
        var values = new float[updates.Layout.Tensors.Count][];
        var weights = selected.Select(u => (double)updates.Updates[u].Samples).ToArray();
        var acc = new double[Block];
        for (var t = 0; t < values.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            var length = (int)updates.Layout.Tensors[t].ElementCount;
            var inputs = selected.Select(u => updates.ReadOne(u, t)).ToArray();
            var result = new float[length];
            // Block by block, so the double accumulator stays in cache while every input streams past it once.
            for (var begin = 0; begin < length; begin += Block)
            {
                var size = Math.Min(Block, length - begin);
                var block = acc.AsSpan(0, size);
                block.Clear();
                for (var k = 0; k < inputs.Length; k++) Kernels.AccumulateWeighted(block, inputs[k].AsSpan(begin, size), weights[k]);
                Kernels.Divide(block, total, result.AsSpan(begin, size));
            }
            values[t] = result;
        }
        return new ModelWeights(updates.Layout, values);
    }

}
