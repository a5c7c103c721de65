using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>Coordinate-wise median (Yin et al. 2018), unweighted; with an even count, the mean of the two middle values.</summary>
public sealed class CoordinateMedian : IAggregationStrategy
{
    public string Name => "median";

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default) =>
        SortedCoordinates.Map(updates, ct, sorted =>
        {
            var n = sorted.Length;
            return n % 2 == 1 ? sorted[n / 2] : (float)(((double)sorted[n / 2 - 1] + sorted[n / 2]) / 2);
        });
}

/// <summary>Coordinate-wise trimmed mean (Yin et al. 2018): drop the ⌊β·n⌋ largest and smallest values, average the rest.</summary>
public sealed class TrimmedMean : IAggregationStrategy
{
    public double Beta { get; }

    public TrimmedMean(double beta)
    {
        if (!(beta >= 0 && beta < 0.5)) throw new ArgumentException($"trimmed mean β must be in [0, 0.5), got {beta}");
        Beta = beta;
    }

    public string Name => $"trimmed-mean:{Beta.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default)
    {
        var trim = (int)Math.Floor(Beta * updates.Count);
        if (updates.Count - 2 * trim < 1)
            throw new AggregationException($"trimmed mean β={Beta} leaves nothing of {updates.Count} updates");
        return SortedCoordinates.Map(updates, ct, sorted =>
        {
            double sum = 0;
            for (var i = trim; i < sorted.Length - trim; i++) sum += sorted[i];
            return (float)(sum / (sorted.Length - 2 * trim));
        });
    }
}

/// <summary>Shared loop of the order-statistics rules: per coordinate, sort the n values and reduce them.</summary>
internal static class SortedCoordinates
{
    public static ModelWeights Map(UpdateSet updates, CancellationToken ct, Func<float[], float> reduce)
    {
        var values = new float[updates.Layout.Tensors.Count][];
        var n = updates.Count;
        var scratch = new float[n];
        for (var t = 0; t < values.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            var column = updates.ReadColumn(t);
            var result = ResultArrays.Floats(column[0].Length);
            for (var i = 0; i < result.Length; i++)
            {
                for (var u = 0; u < n; u++) scratch[u] = column[u][i];
                InsertionSort(scratch);
                result[i] = reduce(scratch);
            }
            values[t] = result;
        }
        return new ModelWeights(updates.Layout, values);
    }

    // n is a cluster's update count (tens), where insertion sort beats Array.Sort's overhead.
    private static void InsertionSort(float[] a)
    {
        for (var i = 1; i < a.Length; i++)
        {
            var x = a[i];
            var j = i - 1;
            while (j >= 0 && a[j] > x) { a[j + 1] = a[j]; j--; }
            a[j + 1] = x;
        }
    }
}
