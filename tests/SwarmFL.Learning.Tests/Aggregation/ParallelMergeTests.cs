using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Tests.Aggregation;

/// <summary>
/// The block-parallel merge kernels: any thread count gives the same bytes as one thread and as the scalar definition,
/// and a non-finite input is still refused with its name, wherever it sits.
/// </summary>
public class ParallelMergeTests
{
    /// <summary>Spans several kernel blocks with a ragged tail, next to tensors shorter than one vector step.</summary>
    private const int MultiBlock = 2 * BlockParallel.BlockSize + 37;

    private static ModelWeights Random(TensorLayout layout, DeterministicRandom random, double scale = 1) =>
        new(layout, layout.Tensors.Select(t => Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(random.NextGaussian() * scale)).ToArray()).ToArray());

    private static UpdateSet Set(TensorLayout layout, IEnumerable<ModelWeights> models, IReadOnlyList<long> samples) =>
        new(layout, models.Select((m, i) => ModelUpdate.InMemory(m, samples[i], $"update-{i}")));

    private static bool SameBytes(ModelWeights a, ModelWeights b) => SafeTensors.Encode(a).AsSpan().SequenceEqual(SafeTensors.Encode(b));

    [Fact]
    public void AnyThreadCountGivesTheSameBytesAsOneThreadOverRandomShapes()
    {
        var shapes = Gen.Choose(1, 3).SelectMany(count => Gen.ArrayOf(Gen.OneOf(Gen.Choose(1, 40), Gen.Choose(BlockParallel.BlockSize - 20, 3 * BlockParallel.BlockSize + 20)), count));
        Prop.ForAll(
            shapes.SelectMany(lengths => Gen.Choose(1, 8).SelectMany(n => Gen.Choose(0, int.MaxValue).Select(seed => (lengths, n, seed)))).ToArbitrary(),
            input =>
            {
                var (lengths, n, seed) = input;
                var layout = new TensorLayout(lengths.Select((l, i) => new TensorSpec($"t{i}", [l])));
                var random = new DeterministicRandom((ulong)seed);
                var models = Enumerable.Range(0, n).Select(_ => Random(layout, random, Math.Pow(10, random.NextInt(8) - 4))).ToArray();
                var samples = models.Select(_ => (long)(1 + random.NextInt(100_000))).ToArray();
                var one = new FedAvg { Threads = 1 }.Aggregate(Set(layout, models, samples));
                return new[] { 0, 2, 3 }.All(threads => SameBytes(one, new FedAvg { Threads = threads }.Aggregate(Set(layout, models, samples))))
                    && MatchesScalarDefinition(Set(layout, models, samples), one);
            }).QuickCheckThrowOnFailure();
    }

    /// <summary>Σ nᵢ·xᵢ in double in canonical order, divided once, rounded to float once — one coordinate at a time.</summary>
    private static bool MatchesScalarDefinition(UpdateSet set, ModelWeights merged)
    {
        double total = set.Updates.Sum(u => (double)u.Samples);
        for (var t = 0; t < set.Layout.Tensors.Count; t++)
        {
            var result = merged.Values[t];
            for (var i = 0; i < result.Length; i++)
            {
                double sum = 0;
                foreach (var u in set.Updates) sum += u.Samples * (double)u.ReadTensor(t)[i];
                if (BitConverter.SingleToInt32Bits((float)(sum / total)) != BitConverter.SingleToInt32Bits(result[i])) return false;
            }
        }
        return true;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void NonFiniteInputIsNamedWhereverItSits(int threads)
    {
        var layout = new TensorLayout([new TensorSpec("small", [5]), new TensorSpec("big", [MultiBlock])]);
        var random = new DeterministicRandom(3);
        var models = Enumerable.Range(0, 5).Select(_ => Random(layout, random)).ToArray();
        var samples = new long[] { 10, 20, 30, 40, 50 };
        // In a later block, in its ragged tail, and at the very start: the kernel's fused check must see all of them.
        foreach (var position in new[] { BlockParallel.BlockSize + 5, MultiBlock - 1, 0 })
            foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                var poisoned = models.Select(m => new ModelWeights(layout, m.Values.Select(v => (float[])v.Clone()).ToArray())).ToArray();
                poisoned[2]["big"][position] = bad;
                var set = Set(layout, poisoned, samples);
                var big = layout.Tensors.ToList().FindIndex(t => t.Name == "big"); // the layout orders tensors by name
                var culprit = set.Updates.Single(u => !float.IsFinite(u.ReadTensor(big)[position])).Describe;
                foreach (var strategy in new IAggregationStrategy[] { new FedAvg { Threads = threads }, new Krum(1, 3) { Threads = threads }, new GeometricMedian { Threads = threads } })
                {
                    var e = Assert.Throws<AggregationException>(() => strategy.Aggregate(set));
                    Assert.Contains($"{culprit}: tensor big holds a non-finite value", e.Message);
                    Assert.Contains($"at element {position}", e.Message);
                }
            }
    }

    [Theory]
    [InlineData(7, MultiBlock - 3)]
    [InlineData(MultiBlock - 3, 7)]
    public void WithTwoBadInputsTheFirstInCanonicalOrderIsNamed(int positionInOne, int positionInThree)
    {
        // One of the two cases puts the later input's bad value in an earlier block than the first input's: the message
        // must still name the first input in canonical order, as the scan before every merge used to.
        var layout = new TensorLayout([new TensorSpec("big", [MultiBlock])]);
        var random = new DeterministicRandom(4);
        var models = Enumerable.Range(0, 4).Select(_ => Random(layout, random)).ToArray();
        models[1].Values[0][positionInOne] = float.NaN;
        models[3].Values[0][positionInThree] = float.PositiveInfinity;
        var set = Set(layout, models, [1, 2, 3, 4]);
        var first = set.Updates.Select(u => u.Describe).First(d => d is "update-1" or "update-3");
        var e = Assert.Throws<AggregationException>(() => new FedAvg().Aggregate(set));
        Assert.Equal($"{first}: tensor big holds a non-finite value ({(first == "update-1" ? float.NaN : float.PositiveInfinity)}) at element {(first == "update-1" ? positionInOne : positionInThree)}", e.Message);
    }

    [Fact]
    public void ExtremeFiniteInputsAreNotMistakenForNonFinite()
    {
        var layout = new TensorLayout([new TensorSpec("big", [MultiBlock])]);
        var max = Enumerable.Repeat(float.MaxValue, MultiBlock).ToArray();
        var min = Enumerable.Repeat(-float.MaxValue, MultiBlock).ToArray();
        var set = Set(layout, [new ModelWeights(layout, [max]), new ModelWeights(layout, [max]), new ModelWeights(layout, [min])], [long.MaxValue / 4, long.MaxValue / 4, 1]);
        var merged = new FedAvg().Aggregate(set);
        Assert.All(merged.Values[0], x => Assert.True(float.IsFinite(x)));
        Assert.True(MatchesScalarDefinition(set, merged));
    }

    [Fact]
    public void GeometricMedianAndMultiKrumDoNotDependOnTheThreadCount()
    {
        var layout = new TensorLayout([new TensorSpec("a", [3, 7]), new TensorSpec("big", [MultiBlock])]);
        var random = new DeterministicRandom(5);
        var models = Enumerable.Range(0, 7).Select(_ => Random(layout, random)).ToArray();
        var samples = models.Select(_ => (long)(1 + random.NextInt(500))).ToArray();
        foreach (var make in new Func<int, IAggregationStrategy>[] { t => new GeometricMedian(10) { Threads = t }, t => new Krum(1, 4) { Threads = t }, t => new Krum(1) { Threads = t } })
            Assert.True(SameBytes(make(1).Aggregate(Set(layout, models, samples)), make(0).Aggregate(Set(layout, models, samples))), make(1).Name);
    }

    [Fact]
    public void ACancelledMergeStops()
    {
        var layout = new TensorLayout([new TensorSpec("big", [MultiBlock])]);
        var random = new DeterministicRandom(6);
        var set = Set(layout, [Random(layout, random), Random(layout, random)], [1, 1]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new FedAvg().Aggregate(set, cancelled.Token));
    }
}
