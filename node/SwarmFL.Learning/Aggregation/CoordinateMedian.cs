using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>Coordinate-wise median (Yin et al. 2018), unweighted; with an even count, the mean of the two middle values.</summary>
public sealed class CoordinateMedian : IAggregationStrategy
{
    public string Name => "median";

    /// <summary>Cores a merge may use: 0 (the default) means all of them, 1 the calling thread only. The bytes do not depend on it.</summary>
    public int Threads { get; init; }

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default) =>
        IntegerBufferRule.Apply(updates, SortedCoordinates.Map(updates, new Median(), Threads, ct));
}

/// <summary>Coordinate-wise trimmed mean (Yin et al. 2018): drop the ⌊β·n⌋ largest and smallest values, average the rest.</summary>
public sealed class TrimmedMean : IAggregationStrategy
{
    public double Beta { get; }

    /// <summary>Cores a merge may use: 0 (the default) means all of them, 1 the calling thread only. The bytes do not depend on it.</summary>
    public int Threads { get; init; }

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
        return IntegerBufferRule.Apply(updates, SortedCoordinates.Map(updates, new Trimmed(trim), Threads, ct));
    }
}

/// <summary>A statistic of the n sorted values of a coordinate, for eight coordinates at once or for one.</summary>
internal interface IOrderStatistic
{
    Vector256<float> Of(ReadOnlySpan<Vector256<float>> sorted);
    float Of(ReadOnlySpan<float> sorted);
}

internal readonly struct Median : IOrderStatistic
{
    public Vector256<float> Of(ReadOnlySpan<Vector256<float>> sorted)
    {
        var n = sorted.Length;
        if (n % 2 == 1) return sorted[n / 2];
        var (lowA, highA) = Vector256.Widen(sorted[n / 2 - 1]);
        var (lowB, highB) = Vector256.Widen(sorted[n / 2]);
        var two = Vector256.Create(2.0);
        return Vector256.Narrow((lowA + lowB) / two, (highA + highB) / two);
    }

    public float Of(ReadOnlySpan<float> sorted)
    {
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (float)(((double)sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    }
}

/// <summary>The mean of the sorted values without the <c>trim</c> smallest and largest, summed in double in sorted order.</summary>
internal readonly struct Trimmed(int trim) : IOrderStatistic
{
    public Vector256<float> Of(ReadOnlySpan<Vector256<float>> sorted)
    {
        var (low, high) = (Vector256<double>.Zero, Vector256<double>.Zero);
        for (var i = trim; i < sorted.Length - trim; i++)
        {
            var (l, h) = Vector256.Widen(sorted[i]);
            low += l;
            high += h;
        }
        var count = Vector256.Create((double)(sorted.Length - 2 * trim));
        return Vector256.Narrow(low / count, high / count);
    }

    public float Of(ReadOnlySpan<float> sorted)
    {
        double sum = 0;
        for (var i = trim; i < sorted.Length - trim; i++) sum += sorted[i];
        return (float)(sum / (sorted.Length - 2 * trim));
    }
}

/// <summary>Shared loop of the order-statistics rules: per coordinate, sort the n values and reduce them.</summary>
internal static class SortedCoordinates
{
    public static ModelWeights Map<T>(UpdateSet updates, T statistic, int threads, CancellationToken ct) where T : struct, IOrderStatistic
    {
        var network = SortingNetwork.For(updates.Count);
        var values = new float[updates.Layout.Tensors.Count][];
        for (var t = 0; t < values.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            var column = updates.ReadColumn(t);
            var result = ResultArrays.Floats(column[0].Length);
            BlockParallel.All(result.Length, threads, ct, (begin, length) =>
            {
                Block(column, network, statistic, begin, result.AsSpan(begin, length));
                return true;
            });
            values[t] = result;
        }
        return new ModelWeights(updates.Layout, values);
    }

    /// <summary>result[i] = statistic of the sorted inputs at coordinate begin + i: eight coordinates per step, then one at a time.</summary>
    private static void Block<T>(float[][] inputs, SortingNetwork network, T statistic, int begin, Span<float> result) where T : struct, IOrderStatistic
    {
        var n = inputs.Length;
        Kernels.RequireBlock(inputs, begin, result.Length);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var lanes = n <= 64 ? stackalloc Vector256<float>[n] : new Vector256<float>[n];
            ref var rs = ref MemoryMarshal.GetReference(result);
            for (; i <= result.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                for (var k = 0; k < n; k++) lanes[k] = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(inputs[k]), (nuint)(begin + i));
                network.Sort(lanes);
                statistic.Of(lanes).StoreUnsafe(ref rs, (nuint)i);
            }
        }
        var coordinate = n <= 256 ? stackalloc float[n] : new float[n];
        for (; i < result.Length; i++)
        {
            for (var k = 0; k < n; k++) coordinate[k] = inputs[k][begin + i];
            network.Sort(coordinate);
            result[i] = statistic.Of(coordinate);
        }
    }
}
