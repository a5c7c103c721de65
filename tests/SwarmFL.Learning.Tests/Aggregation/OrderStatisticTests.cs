using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Tests.Aggregation;

/// <summary>
/// The sorting-network median and trimmed mean, and the widened distance kernel, against plain definitions written
/// one coordinate at a time.
/// </summary>
public class OrderStatisticTests
{
    /// <summary>A total order on floats without NaN: by value, with −0 before +0 (IEEE 754-2019 minimum/maximum).</summary>
    private static int TotalOrder(float a, float b) =>
        a < b ? -1 : a > b ? 1 : float.IsNegative(a).CompareTo(float.IsNegative(b)) * -1;

    [Fact]
    public void TheNetworkSortsEveryZeroOneInputUpToTwelveValues()
    {
        // The 0-1 principle: a comparator network that sorts every sequence of zeros and ones sorts every sequence.
        for (var n = 1; n <= 12; n++)
        {
            var network = SortingNetwork.For(n);
            var values = new float[n];
            for (var bits = 0; bits < 1 << n; bits++)
            {
                for (var k = 0; k < n; k++) values[k] = (bits >> k) & 1;
                network.Sort(values);
                for (var k = 1; k < n; k++) Assert.True(values[k - 1] <= values[k], $"n={n} input {bits:b}");
            }
        }
    }

    [Fact]
    public void TheNetworkSortsRandomValuesAndSignedZerosLaneByLane()
    {
        var random = new DeterministicRandom(1);
        for (var n = 1; n <= 70; n++)
        {
            var network = SortingNetwork.For(n);
            var lanes = new System.Runtime.Intrinsics.Vector256<float>[n];
            var expected = new float[8][];
            var pool = new[] { 0f, -0f, 1f, -1f, 2.5f };
            for (var l = 0; l < 8; l++)
                expected[l] = Enumerable.Range(0, n).Select(_ => random.NextInt(3) == 0 ? pool[random.NextInt(pool.Length)] : (float)random.NextGaussian()).ToArray();
            for (var k = 0; k < n; k++) lanes[k] = System.Runtime.Intrinsics.Vector256.Create(Enumerable.Range(0, 8).Select(l => expected[l][k]).ToArray());
            network.Sort(lanes);
            for (var l = 0; l < 8; l++)
            {
                var scalar = (float[])expected[l].Clone();
                network.Sort(scalar);
                Array.Sort(expected[l], TotalOrder);
                for (var k = 0; k < n; k++)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected[l][k]), BitConverter.SingleToInt32Bits(lanes[k][l]));
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected[l][k]), BitConverter.SingleToInt32Bits(scalar[k]));
                }
            }
        }
    }

    [Fact]
    public void MedianAndTrimmedMeanMatchTheirDefinitionsOverRandomShapesAndThreadCounts()
    {
        Prop.ForAll(
            Gen.Choose(1, 12).SelectMany(n => Gen.OneOf(Gen.Choose(1, 30), Gen.Choose(BlockParallel.BlockSize - 5, BlockParallel.BlockSize + 40))
                .SelectMany(length => Gen.Choose(0, int.MaxValue).Select(seed => (n, length, seed)))).ToArbitrary(),
            input =>
            {
                var (n, length, seed) = input;
                var layout = new TensorLayout([new TensorSpec("v", [length])]);
                var random = new DeterministicRandom((ulong)seed);
                // Few distinct values (ties, ±0) as often as continuous ones.
                var discrete = random.NextInt(2) == 0;
                var models = Enumerable.Range(0, n).Select(_ => new ModelWeights(layout, [Enumerable.Range(0, length)
                    .Select(_ => discrete ? new[] { 0f, -0f, 1f, -3f }[random.NextInt(4)] : (float)random.NextGaussian()).ToArray()])).ToArray();
                UpdateSet Set() => new(layout, models.Select((m, i) => ModelUpdate.InMemory(m, 1 + i)));
                var trim = (int)Math.Floor(0.2 * n);
                var median = new CoordinateMedian { Threads = 1 }.Aggregate(Set()).Values[0];
                var trimmed = new TrimmedMean(0.2) { Threads = 1 }.Aggregate(Set()).Values[0];
                if (!median.AsSpan().SequenceEqual(new CoordinateMedian { Threads = 0 }.Aggregate(Set()).Values[0])) return false;
                if (!trimmed.AsSpan().SequenceEqual(new TrimmedMean(0.2) { Threads = 0 }.Aggregate(Set()).Values[0])) return false;
                for (var i = 0; i < length; i++)
                {
                    var sorted = models.Select(m => m.Values[0][i]).ToArray();
                    Array.Sort(sorted, TotalOrder);
                    var expectedMedian = n % 2 == 1 ? sorted[n / 2] : (float)(((double)sorted[n / 2 - 1] + sorted[n / 2]) / 2);
                    double sum = 0;
                    for (var k = trim; k < n - trim; k++) sum += sorted[k];
                    var expectedTrimmed = (float)(sum / (n - 2 * trim));
                    if (BitConverter.SingleToInt32Bits(expectedMedian) != BitConverter.SingleToInt32Bits(median[i])) return false;
                    if (BitConverter.SingleToInt32Bits(expectedTrimmed) != BitConverter.SingleToInt32Bits(trimmed[i])) return false;
                }
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TheMedianOfSignedZerosDoesNotDependOnTheirOrder()
    {
        var layout = new TensorLayout([new TensorSpec("v", [9])]);
        var plus = new ModelWeights(layout, [Enumerable.Repeat(0f, 9).ToArray()]);
        var minus = new ModelWeights(layout, [Enumerable.Repeat(-0f, 9).ToArray()]);
        var one = new ModelWeights(layout, [Enumerable.Repeat(1f, 9).ToArray()]);
        // Sorted: −0, +0, 1 whatever the canonical order of the three updates; the median is +0.
        var merged = new CoordinateMedian().Aggregate(new UpdateSet(layout, [ModelUpdate.InMemory(plus, 1), ModelUpdate.InMemory(minus, 1), ModelUpdate.InMemory(one, 1)]));
        Assert.All(merged.Values[0], x => Assert.False(float.IsNegative(x)));
        var low = new CoordinateMedian().Aggregate(new UpdateSet(layout, [ModelUpdate.InMemory(plus, 1), ModelUpdate.InMemory(minus, 1), ModelUpdate.InMemory(minus, 2)]));
        Assert.All(low.Values[0], x => Assert.True(float.IsNegative(x)));
    }

    [Fact]
    public void WidenedSquaredDistanceKeepsTheFourLaneSum()
    {
        var random = new DeterministicRandom(8);
        for (var length = 0; length < 80; length++)
        {
            var a = Enumerable.Range(0, length).Select(_ => (float)(random.NextGaussian() * Math.Pow(10, random.NextInt(6)))).ToArray();
            var b = Enumerable.Range(0, length).Select(_ => (float)random.NextGaussian()).ToArray();
            // The definition: lane l sums (a[i] − b[i])² for i ≡ l (mod 4) over whole groups of four, lanes added in
            // order, then the remaining elements.
            var lanes = new double[4];
            var i = 0;
            for (; i + 4 <= length; i += 4)
                for (var l = 0; l < 4; l++)
                {
                    var d = (double)a[i + l] - b[i + l];
                    lanes[l] += d * d;
                }
            var sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
            for (; i < length; i++)
            {
                var d = (double)a[i] - b[i];
                sum += d * d;
            }
            Assert.Equal(BitConverter.DoubleToInt64Bits(sum), BitConverter.DoubleToInt64Bits(UpdateSet.SquaredDistance(a, b)));
        }
    }

    [Fact]
    public void KrumDistancesDoNotDependOnTheThreadCount()
    {
        var layout = new TensorLayout([new TensorSpec("a", [5]), new TensorSpec("big", [BlockParallel.BlockSize + 3])]);
        var random = new DeterministicRandom(2);
        var set = new UpdateSet(layout, Enumerable.Range(0, 6).Select(_ => ModelUpdate.InMemory(new ModelWeights(layout,
            layout.Tensors.Select(t => Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)random.NextGaussian()).ToArray()).ToArray()), 1)));
        var one = set.PairwiseSquaredDistances(default, 1);
        var all = set.PairwiseSquaredDistances(default, 0);
        Assert.Equal(one.Cast<double>().Select(BitConverter.DoubleToInt64Bits), all.Cast<double>().Select(BitConverter.DoubleToInt64Bits));
    }
}
