using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// The one rule for integer buffers (int64 tensors such as BatchNorm's <c>num_batches_tracked</c>) in every merge,
/// whatever the strategy: the merged value is the element-wise maximum over the inputs.
/// </summary>
/// <remarks>
/// Averaging a counter gives a fraction, a median of counters has no meaning; the maximum is deterministic, independent
/// of input order and weights, and an integer. For <c>num_batches_tracked</c> it is "the most batches any input has
/// seen", which only matters to a BatchNorm with momentum=None (cumulative average). Float buffers (running mean and
/// variance) are aggregated by the strategy like parameters.
/// </remarks>
public static class IntegerBufferRule
{
    /// <summary>Replaces every integer tensor of <paramref name="merged"/> by the maximum over <paramref name="updates"/>.</summary>
    public static ModelWeights Apply(UpdateSet updates, ModelWeights merged)
    {
        if (!updates.Layout.HasIntegerTensors) return merged;
        var values = merged.Values.ToArray();
        for (var t = 0; t < values.Length; t++)
        {
            if (updates.Layout.Tensors[t].DType != TensorDType.I64) continue;
            var column = updates.ReadColumn(t);
            var result = new float[column[0].Length];
            for (var i = 0; i < result.Length; i++)
            {
                var max = column[0][i];
                foreach (var input in column) max = Math.Max(max, input[i]);
                result[i] = max;
            }
            values[t] = result;
        }
        return new ModelWeights(updates.Layout, values);
    }
}
