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

    /// <summary>
    /// result[i] = (float)((((0 + w₀·x₀[i]) + w₁·x₁[i]) + …) / total) for i in [begin, begin + result.Length): the sum in
    /// double, in input order, a product then an add per input (no fused multiply-add), so every machine and every
    /// vector width gives the scalar loop's bytes. Sixteen coordinates are summed in registers across all inputs, so each
    /// input is read once and the sums never go through memory.
    /// </summary>
    /// <returns>
    /// False when a sum is NaN or ±∞. With finite positive weights below 2⁶³ and finite inputs every sum is finite (at most
    /// Σwₖ·3.4·10³⁸), and a NaN or ±∞ input makes its sum non-finite, so this is the merge's non-finite input check,
    /// done on the sums instead of a separate pass over every input.
    /// </returns>
    public static bool WeightedMean(ReadOnlySpan<float[]> inputs, ReadOnlySpan<double> weights, double total, int begin, Span<float> result)
    {
        if (inputs.Length != weights.Length) throw new ArgumentException("one weight per input");
        RequireBlock(inputs, begin, result.Length);
        var i = 0;
        var nonFinite = Vector256<double>.Zero;
        if (Vector256.IsHardwareAccelerated)
        {
            var divisor = Vector256.Create(total);
            ref var rs = ref MemoryMarshal.GetReference(result);
            for (; i <= result.Length - 16; i += 16)
            {
                var (a0, a1, a2, a3) = (Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero);
                var at = (nuint)(begin + i);
                for (var k = 0; k < inputs.Length; k++)
                {
                    ref var xs = ref MemoryMarshal.GetArrayDataReference(inputs[k]);
                    var w = Vector256.Create(weights[k]);
                    var (x0, x1) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, at));
                    var (x2, x3) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, at + 8));
                    a0 += x0 * w;
                    a1 += x1 * w;
                    a2 += x2 * w;
                    a3 += x3 * w;
                }
                // s − s is 0 for finite s and NaN for NaN or ±∞; OR-ing keeps any NaN bits set.
                nonFinite |= (a0 - a0) | (a1 - a1) | (a2 - a2) | (a3 - a3);
                Vector256.Narrow(a0 / divisor, a1 / divisor).StoreUnsafe(ref rs, (nuint)i);
                Vector256.Narrow(a2 / divisor, a3 / divisor).StoreUnsafe(ref rs, (nuint)i + 8);
            }
        }
        var finite = Vector256.EqualsAll(nonFinite, Vector256<double>.Zero);
        for (; i < result.Length; i++)
        {
            double sum = 0;
            for (var k = 0; k < inputs.Length; k++) sum += weights[k] * inputs[k][begin + i];
            finite &= double.IsFinite(sum);
            result[i] = (float)(sum / total);
        }
        return finite;
    }

    /// <summary>Refuses a block [begin, begin + length) that any input does not hold whole: the kernels read it unchecked.</summary>
    public static void RequireBlock(ReadOnlySpan<float[]> inputs, int begin, int length)
    {
        foreach (var x in inputs)
            if ((uint)begin > (uint)x.Length || x.Length - begin < length) throw new ArgumentException("input shorter than the block");
    }

    /// <summary>Σ (a[i] − b[i])² in double: four lanes over blocks of four, the lanes summed in order, then the tail.</summary>
    /// <remarks>
    /// Lane l accumulates elements l, l + 4, l + 8, … in increasing order. The main loop widens eight floats at a time,
    /// adding elements i…i+3 and then i+4…i+7, which keeps exactly that assignment and order, so the sum is the same as
    /// four at a time.
    /// </remarks>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("distance between tensors of different lengths");
        var lanes = Vector256<double>.Zero;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var xs = ref MemoryMarshal.GetReference(a);
            ref var ys = ref MemoryMarshal.GetReference(b);
            for (; i <= a.Length - 8; i += 8)
            {
                var (xLow, xHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, (nuint)i));
                var (yLow, yHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref ys, (nuint)i));
                var low = xLow - yLow;
                lanes += low * low;
                var high = xHigh - yHigh;
                lanes += high * high;
            }
        }
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
