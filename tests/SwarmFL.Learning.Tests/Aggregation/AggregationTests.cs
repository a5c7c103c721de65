using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Tests.Aggregation;

public class AggregationTests
{
    private static readonly TensorLayout Matrix = new([new TensorSpec("w", [2, 3])]);

    private static ModelUpdate Update(float[] w, long samples = 1) =>
        ModelUpdate.InMemory(new ModelWeights(Matrix, [w]), samples);

    private static UpdateSet Set(TensorLayout layout, IEnumerable<ModelUpdate> updates) => new(layout, updates);

    private static readonly string[] StrategyNames = ["fedavg", "median", "trimmed-mean:0.2", "krum:1", "multi-krum:1:3", "geometric-median"];
    private static IEnumerable<IAggregationStrategy> AllStrategies => StrategyNames.Select(AggregationStrategies.Parse);

    [Theory]
    [InlineData("fedavg")]
    [InlineData("median")]
    [InlineData("trimmed-mean:0")]
    [InlineData("geometric-median")]
    public void WorkedExampleEqualWeights(string strategy)
    {
        // Equal-weight average of [[1,2,3],[4,5,6]] and [[3,4,5],[6,7,8]] is [[2,3,4],[5,6,7]]; with two inputs the
        // median and the geometric median (any point on the segment minimises the sum; Weiszfeld stays at the mean) agree.
        var merged = AggregationStrategies.Parse(strategy).Aggregate(Set(Matrix, [Update([1, 2, 3, 4, 5, 6]), Update([3, 4, 5, 6, 7, 8])]));
        Assert.Equal([2f, 3, 4, 5, 6, 7], merged["w"]);
    }

    [Fact]
    public void FedAvgWeightsBySamples()
    {
        var merged = new FedAvg().Aggregate(Set(Matrix, [Update([0, 0, 0, 0, 0, 0], 600), Update([10, 10, 10, 10, 10, 10], 400)]));
        Assert.All(merged["w"], x => Assert.Equal(4f, x));
    }

    [Fact]
    public void PermutationOfInputsGivesIdenticalBytes()
    {
        var layout = new TensorLayout([new TensorSpec("a", [3, 4]), new TensorSpec("b", [5])]);
        Prop.ForAll(
            Gen.Choose(5, 9).SelectMany(n => Gen.Choose(0, int.MaxValue).Select(seed => (n, seed))).ToArbitrary(),
            input =>
            {
                var (n, seed) = input;
                var random = new DeterministicRandom((ulong)seed);
                var weights = Enumerable.Range(0, n).Select(_ => new ModelWeights(layout, layout.Tensors
                    .Select(t => Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)random.NextGaussian()).ToArray()).ToArray())).ToArray();
                var samples = weights.Select(_ => (long)(1 + random.NextInt(1000))).ToArray();
                var order = random.Permutation(n);
                foreach (var strategy in AllStrategies)
                {
                    var a = strategy.Aggregate(Set(layout, weights.Select((w, i) => ModelUpdate.InMemory(w, samples[i]))));
                    var b = strategy.Aggregate(Set(layout, order.Select(i => ModelUpdate.InMemory(weights[i], samples[i]))));
                    if (!SafeTensors.Encode(a).AsSpan().SequenceEqual(SafeTensors.Encode(b))) return false;
                }
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void IdenticalInputsReturnThemselves()
    {
        var layout = new TensorLayout([new TensorSpec("a", [7]), new TensorSpec("b", [2, 2])]);
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).Select(s => s).ToArbitrary(),
            seed =>
            {
                var random = new DeterministicRandom((ulong)seed);
                var w = new ModelWeights(layout, layout.Tensors
                    .Select(t => Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(random.NextGaussian() * Math.Pow(10, random.NextInt(10) - 5))).ToArray()).ToArray());
                var n = 5 + random.NextInt(4);
                foreach (var strategy in AllStrategies)
                {
                    var merged = strategy.Aggregate(Set(layout, Enumerable.Range(0, n).Select(_ => ModelUpdate.InMemory(w, 1 + random.NextInt(100_000)))));
                    if (!merged.BitwiseEquals(w)) return false;
                }
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void OnePoisonedUpdateWrecksFedAvgButNotTheRobustRules()
    {
        var layout = ModelSpec.Mnist2nn.Layout();
        var random = new DeterministicRandom(42);
        var centre = ModelWeights.Initial(ModelSpec.Mnist2nn, 1);
        var honest = Enumerable.Range(0, 10).Select(_ => new ModelWeights(layout, centre.Values
            .Select(v => v.Select(x => x + (float)(random.NextGaussian() * 0.01)).ToArray()).ToArray())).ToArray();
        var honestMean = new FedAvg().Aggregate(Set(layout, honest.Select(w => ModelUpdate.InMemory(w, 100))));
        var spread = honest.Average(w => w.DistanceTo(honestMean));

        var poisoned = honest.ToArray();
        poisoned[3] = new ModelWeights(layout, honest[3].Values.Select(v => v.Select(x => x * 1e3f).ToArray()).ToArray());
        UpdateSet Poisoned() => Set(layout, poisoned.Select(w => ModelUpdate.InMemory(w, 100)));

        var fedavgError = new FedAvg().Aggregate(Poisoned()).DistanceTo(honestMean);
        Assert.True(fedavgError > 100 * spread, $"FedAvg error {fedavgError} should dwarf the honest spread {spread}");
        foreach (var strategy in new IAggregationStrategy[] { new CoordinateMedian(), new TrimmedMean(0.1), new Krum(1), new Krum(1, 5), new GeometricMedian() })
        {
            var error = strategy.Aggregate(Poisoned()).DistanceTo(honestMean);
            Assert.True(error < 1.5 * spread, $"{strategy.Name}: distance {error} from the honest mean, honest spread {spread}");
        }
    }

    [Fact]
    public void DeviationFilterDropsTheOutlierAndSaysWhich()
    {
        var baseModel = new ModelWeights(Matrix, [new float[6]]);
        var updates = Enumerable.Range(1, 9).Select(i => Update(Enumerable.Repeat(0.1f * i, 6).ToArray(), 10)).ToList();
        var outlier = Update(Enumerable.Repeat(50f, 6).ToArray(), 10);
        updates.Add(outlier);
        var result = new DeviationFilter(3).Apply(Set(Matrix, updates), baseModel);
        var dropped = Assert.Single(result.Dropped);
        Assert.Equal(outlier.Id, dropped.Update.Id);
        Assert.True(dropped.Distance > dropped.Limit);
        Assert.Equal(9, result.Kept.Count);
    }

    [Fact]
    public void KrumSelectsAnHonestUpdateUnchanged()
    {
        var updates = new[] { Update([1, 1, 1, 1, 1, 1]), Update([1.1f, 1, 1, 1, 1, 1]), Update([1, 1.1f, 1, 1, 1, 1]), Update([1, 1, 1.1f, 1, 1, 1]), Update([100, 100, 100, 100, 100, 100]) };
        var merged = new Krum(1).Aggregate(Set(Matrix, updates));
        Assert.Contains(updates, u => u.ReadTensor(0).SequenceEqual(merged["w"]));
        Assert.True(merged["w"].All(x => x < 2));
    }

    public static TheoryData<float> NonFinite => new() { float.NaN, float.PositiveInfinity, float.NegativeInfinity };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void NonFiniteValuesAreRefused(float bad)
    {
        foreach (var strategy in AllStrategies)
        {
            var updates = Enumerable.Range(0, 5).Select(i => Update([i, 1, 2, 3, 4, 5])).Append(Update([1, 2, bad, 4, 5, 6])).ToArray();
            var e = Assert.Throws<AggregationException>(() => strategy.Aggregate(Set(Matrix, updates)));
            Assert.Contains("non-finite", e.Message);
        }
    }

    [Fact]
    public void NonFiniteValuesAreFoundAtEveryPosition()
    {
        var layout = new TensorLayout([new TensorSpec("v", [37])]);
        var good = Enumerable.Range(0, 37).Select(i => (float)i).ToArray();
        for (var position = 0; position < 37; position++)
        {
            var bad = (float[])good.Clone();
            bad[position] = position % 2 == 0 ? float.NaN : float.NegativeInfinity;
            var updates = new[] { new ModelWeights(layout, [good]), new ModelWeights(layout, [bad]) }.Select(w => ModelUpdate.InMemory(w, 1));
            var e = Assert.Throws<AggregationException>(() => new FedAvg().Aggregate(Set(layout, updates)));
            Assert.Contains($"element {position}", e.Message);
        }
    }

    [Fact]
    public void VectorisedFedAvgMatchesTheScalarDefinition()
    {
        var layout = new TensorLayout([new TensorSpec("v", [1029])]);
        var random = new DeterministicRandom(9);
        var inputs = Enumerable.Range(0, 7).Select(_ => Enumerable.Range(0, 1029).Select(_ => (float)random.NextGaussian()).ToArray()).ToArray();
        var samples = inputs.Select(_ => (long)(1 + random.NextInt(700))).ToArray();
        var set = Set(layout, inputs.Select((x, i) => ModelUpdate.InMemory(new ModelWeights(layout, [x]), samples[i])));
        var merged = new FedAvg().Aggregate(set)["v"];
        var ordered = set.Updates.Select(u => (X: u.ReadTensor(0), N: u.Samples)).ToArray();
        double total = samples.Sum();
        for (var i = 0; i < 1029; i++)
        {
            double acc = 0;
            foreach (var (x, n) in ordered) acc += n * (double)x[i];
            Assert.Equal((float)(acc / total), merged[i]);
        }
    }

    [Fact]
    public void EmptySetsAndZeroSamplesAreRefused()
    {
        Assert.Contains("empty", Assert.Throws<AggregationException>(() => Set(Matrix, [])).Message);
        Assert.Contains("sample count", Assert.Throws<AggregationException>(() => Set(Matrix, [Update([1, 2, 3, 4, 5, 6], 0)])).Message);
    }

    [Fact]
    public void WrongShapesAreRefused()
    {
        var dir = Directory.CreateTempSubdirectory("swarmfl-agg-");
        try
        {
            var path = Path.Combine(dir.FullName, "wrong.safetensors");
            SafeTensors.Write(new ModelWeights(new TensorLayout([new TensorSpec("w", [3, 2])]), [new float[6]]), path);
            var e = Assert.Throws<ModelFileException>(() => ModelUpdate.FromFile(path, Matrix, 10));
            Assert.Contains("shape", e.Message);
            Assert.Throws<ArgumentException>(() => new ModelWeights(Matrix, [new float[5]]));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void KrumNeedsEnoughUpdates()
    {
        var e = Assert.Throws<AggregationException>(() => new Krum(2).Aggregate(Set(Matrix, Enumerable.Range(0, 6).Select(i => Update([i, 0, 0, 0, 0, 0])))));
        Assert.Contains("at least 7", e.Message);
    }

    [Fact]
    public void FilesAndMemoryGiveTheSameMerge()
    {
        var dir = Directory.CreateTempSubdirectory("swarmfl-agg-");
        try
        {
            var layout = ModelSpec.Mnist2nn.Layout();
            var models = Enumerable.Range(1, 4).Select(s => ModelWeights.Initial(ModelSpec.Mnist2nn, (ulong)s)).ToArray();
            var paths = models.Select((m, i) => { var p = Path.Combine(dir.FullName, $"{i}.safetensors"); SafeTensors.Write(m, p); return p; }).ToArray();
            var fromFiles = paths.Select((p, i) => ModelUpdate.FromFile(p, layout, 100 + i)).ToArray();
            try
            {
                Assert.Equal(models.Select(m => m.ContentId()), fromFiles.Select(u => u.Id));
                var a = new FedAvg().Aggregate(new UpdateSet(layout, fromFiles));
                var b = new FedAvg().Aggregate(new UpdateSet(layout, models.Select((m, i) => ModelUpdate.InMemory(m, 100 + i))));
                Assert.True(a.BitwiseEquals(b));
            }
            finally { foreach (var u in fromFiles) u.Dispose(); }
        }
        finally { dir.Delete(true); }
    }

    [Theory]
    [InlineData("fedav")]
    [InlineData("trimmed-mean:0.7")]
    [InlineData("krum:x")]
    [InlineData("multi-krum:1")]
    public void BadStrategyTextIsRefused(string text) => Assert.Throws<FormatException>(() => AggregationStrategies.Parse(text));
}
