using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// The inner loops of aggregation, vectorised with fixed-width <see cref="Vector256"/> so results are the same bytes on
/// every machine (Vector&lt;T&gt;'s width varies by CPU; Vector256 is emulated lane by lane where AVX is missing).
/// Element-wise kernels give exactly the scalar result; reductions use four double lanes combined in a fixed order.
/// </summary>
internal static class Kernels
{
    /// <summary>True when no element is NaN or ±∞ (x − x is 0 exactly for finite x and NaN otherwise).</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var bad = Vector256<float>.Zero;
            ref var xs = ref MemoryMarshal.GetReference(x);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref xs, (nuint)i);
                bad |= ~Vector256.Equals(v - v, Vector256<float>.Zero);
            }
            if (bad != Vector256<float>.Zero) return false;
        }
        for (; i < x.Length; i++)
            if (!float.IsFinite(x[i])) return false;
        return true;
    }

    /// <summary>acc[i] += w · x[i] in double, element by element (no fused multiply-add, same as the scalar loop).</summary>
    public static void AccumulateWeighted(Span<double> acc, ReadOnlySpan<float> x, double w)
    {
        if (acc.Length < x.Length) throw new ArgumentException("accumulator shorter than input");
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var weight = Vector256.Create(w);
            ref var xs = ref MemoryMarshal.GetReference(x);
            ref var accs = ref MemoryMarshal.GetReference(acc);
            for (; i <= x.Length - 8; i += 8)
            {
                var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, (nuint)i));
                (Vector256.LoadUnsafe(ref accs, (nuint)i) + low * weight).StoreUnsafe(ref accs, (nuint)i);
                (Vector256.LoadUnsafe(ref accs, (nuint)(i + 4)) + high * weight).StoreUnsafe(ref accs, (nuint)(i + 4));
            }
        }
        for (; i < x.Length; i++) acc[i] += w * x[i];
    }

    /// <summary>result[i] = (float)(acc[i] / divisor).</summary>
    public static void Divide(ReadOnlySpan<double> acc, double divisor, Span<float> result)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // IEEE division and double→float narrowing are correctly rounded per lane, exactly as the scalar loop.
            var d = Vector256.Create(divisor);
            ref var accs = ref MemoryMarshal.GetReference(acc);
            ref var rs = ref MemoryMarshal.GetReference(result);
            for (; i <= result.Length - 8; i += 8)
                Vector256.Narrow(Vector256.LoadUnsafe(ref accs, (nuint)i) / d, Vector256.LoadUnsafe(ref accs, (nuint)(i + 4)) / d)
                    .StoreUnsafe(ref rs, (nuint)i);
        }
        for (; i < result.Length; i++) result[i] = (float)(acc[i] / divisor);
    }

    /// <summary>Σ (a[i] − b[i])² in double: four lanes over blocks of four, the lanes summed in order, then the tail.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var lanes = Vector256<double>.Zero;
        var i = 0;
        for (; i <= a.Length - 4; i += 4)
        {
            var d = Vector256.Create((double)a[i] - b[i], (double)a[i + 1] - b[i + 1], (double)a[i + 2] - b[i + 2], (double)a[i + 3] - b[i + 3]);
            lanes += d * d;
        }
        var sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
        for (; i < a.Length; i++)
        {
            var d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
