using System.Collections.Concurrent;
using System.Runtime.Intrinsics;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// A fixed sequence of compare-exchange steps that sorts any n values: Batcher's odd–even merge sort, built for the
/// next power of two and with every step that touches a position ≥ n dropped (those positions would hold +∞ and never
/// move). Eight coordinates are sorted at once, one per lane of a <see cref="Vector256{T}"/>, with no data-dependent
/// branches, where a per-coordinate insertion sort branches on every comparison.
/// </summary>
/// <remarks>
/// Min and max are IEEE 754-2019 minimum and maximum (−0 before +0) both in <see cref="Vector256"/> and in
/// <see cref="MathF"/>, so the sorted values — and every statistic of them — do not depend on the input order.
/// </remarks>
internal sealed class SortingNetwork
{
    private static readonly ConcurrentDictionary<int, SortingNetwork> Networks = new();

    private readonly (int Low, int High)[] _steps;

    public int Count { get; }

    public int Steps => _steps.Length;

    private SortingNetwork(int count)
    {
        Count = count;
        var steps = new List<(int, int)>();
        var size = 1;
        while (size < count) size *= 2;
        for (var p = 1; p < size; p *= 2)
            for (var k = p; k >= 1; k /= 2)
                for (var j = k % p; j + k < size; j += 2 * k)
                    for (var i = 0; i < k && i + j + k < size; i++)
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p) && i + j + k < count)
                            steps.Add((i + j, i + j + k));
        _steps = steps.ToArray();
    }

    public static SortingNetwork For(int count) =>
        count >= 1 ? Networks.GetOrAdd(count, n => new SortingNetwork(n)) : throw new ArgumentOutOfRangeException(nameof(count));

    /// <summary>Sorts every lane across the vectors: afterwards lane l of values[k] is the k-th smallest of lane l.</summary>
    public void Sort(Span<Vector256<float>> values)
    {
        if (values.Length != Count) throw new ArgumentException($"network sorts {Count} values, got {values.Length}");
        foreach (var (low, high) in _steps)
        {
            var (a, b) = (values[low], values[high]);
            values[low] = Vector256.Min(a, b);
            values[high] = Vector256.Max(a, b);
        }
    }

    /// <summary>The same steps on single values.</summary>
    public void Sort(Span<float> values)
    {
        if (values.Length != Count) throw new ArgumentException($"network sorts {Count} values, got {values.Length}");
        foreach (var (low, high) in _steps)
        {
            var (a, b) = (values[low], values[high]);
            values[low] = MathF.Min(a, b);
            values[high] = MathF.Max(a, b);
        }
    }
}
