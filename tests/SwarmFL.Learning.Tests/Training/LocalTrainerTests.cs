using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Tests.Data;
using SwarmFL.Learning.Training;
using Xunit.Abstractions;

namespace SwarmFL.Learning.Tests.Training;

/// <summary>Real TorchSharp training on small real MNIST subsets; one thread so runs are repeatable and light.</summary>
public class LocalTrainerTests(ITestOutputHelper output)
{
    private static readonly TrainingOptions Small = new() { Epochs = 1, BatchSize = 10, LearningRate = 0.05, Threads = 1, Seed = 11 };

    [Theory]
    [InlineData("mnist-2nn", 199_210)]
    [InlineData("mnist-cnn", 1_663_370)]
    public void TorchNetworkHasTheSpecsParametersAndForwardShape(string name, long count)
    {
        var spec = ModelSpec.ByName(name);
        using var network = new SpecNetwork(spec);
        Assert.Equal(count, network.ParameterCount);
        var weights = ModelWeights.Initial(spec, 5);
        network.LoadWeights(weights);
        Assert.True(network.ReadWeights().BitwiseEquals(weights));
        using var x = TorchSharp.torch.zeros(3, 1, 28, 28);
        using var y = network.call(x);
        Assert.Equal([3L, 10L], y.shape);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot()
    {
        using var data = new TensorData(MnistTestData.Train.Take(300));
        var trainer = new LocalTrainer(ModelSpec.Mnist2nn);
        var start = ModelWeights.Initial(ModelSpec.Mnist2nn, 1);
        var options = Small with { Momentum = 0.9, WeightDecay = 1e-4 };
        var a = trainer.Train(start, data, options);
        var b = trainer.Train(start, data, options);
        var c = trainer.Train(start, data, options with { Seed = 12 });
        Assert.True(a.Weights.BitwiseEquals(b.Weights));
        Assert.Equal(a.Weights.ContentId(), b.Weights.ContentId());
        Assert.False(a.Weights.BitwiseEquals(c.Weights));
        Assert.False(a.Weights.BitwiseEquals(start));
    }

    [Theory]
    [InlineData(7)]   // 2048 is not a multiple of 7: chunks of 2 044 samples, and a ragged last batch
    [InlineData(64)]
    [InlineData(3000)] // one batch larger than a gather chunk
    public void TrainingEqualsAPlainLoopThatGathersEachBatchFromTheSeededOrder(int batch)
    {
        // The definition of a seeded epoch: batch b holds rows order[b·B .. b·B + B) of the epoch's permutation. The
        // trainer gathers rows a chunk at a time; this reference gathers them batch by batch, and the bytes must agree.
        using var data = new TensorData(MnistTestData.Train.Take(2500));
        var spec = ModelSpec.Mnist2nn;
        var start = ModelWeights.Initial(spec, 3);
        var options = Small with { BatchSize = batch, Epochs = 2, Momentum = 0.5 };
        var trained = new LocalTrainer(spec).Train(start, data, options);

        using var network = new SpecNetwork(spec);
        network.LoadWeights(start);
        network.train();
        using var optimizer = TorchSharp.torch.optim.SGD(network.parameters(), options.LearningRate, options.Momentum);
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var order = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, (ulong)epoch)).Permutation(data.Count);
            for (var begin = 0; begin < data.Count; begin += batch)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                var rows = TorchSharp.torch.tensor(order.Skip(begin).Take(batch).Select(i => (long)i).ToArray());
                optimizer.zero_grad();
                TorchSharp.torch.nn.functional.cross_entropy(network.call(data.Images.index_select(0, rows)), data.Labels.index_select(0, rows)).backward();
                optimizer.step();
            }
        }
        Assert.True(trained.Weights.BitwiseEquals(network.ReadWeights()));
        Assert.Equal((2500 + batch - 1) / batch * 2, trained.Steps);
    }

    [Fact]
    public void TrainingTheMlpOnTwoThousandDigitsBeatsEightyPercent()
    {
        using var train = new TensorData(MnistTestData.Train.Take(2000));
        using var test = new TensorData(MnistTestData.Test.Take(1000));
        var trainer = new LocalTrainer(ModelSpec.Mnist2nn);
        var start = ModelWeights.Initial(ModelSpec.Mnist2nn, 1);
        var before = trainer.Evaluate(start, test);
        var progress = new List<TrainingProgress>();
        var result = trainer.Train(start, train, Small with { Epochs = 2 }, progress.Add);
        var after = trainer.Evaluate(result.Weights, test);
        output.WriteLine($"before: {before}; after: {after}; {result.SamplesPerSecond:F0} samples/s");
        Assert.InRange(before.Accuracy, 0, 0.3);
        Assert.True(after.Accuracy > 0.8, after.ToString());
        Assert.True(after.Loss < before.Loss);
        Assert.Equal(4000, result.Samples);
        Assert.Equal(400, result.Steps);
        Assert.Equal(1.0, progress[^1].Fraction, 9);
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.First.Fraction < p.Second.Fraction));
    }

    [Fact]
    public void TheCnnTrainsOnAFewBatches()
    {
        using var train = new TensorData(MnistTestData.Train.Take(200));
        var trainer = new LocalTrainer(ModelSpec.MnistCnn);
        var start = ModelWeights.Initial(ModelSpec.MnistCnn, 1);
        var before = trainer.Evaluate(start, train);
        var result = trainer.Train(start, train, Small with { BatchSize = 20 });
        var after = trainer.Evaluate(result.Weights, train);
        output.WriteLine($"cnn on 200 samples: before {before}, after {after}");
        Assert.True(result.Weights.AllFinite());
        Assert.True(after.Loss < before.Loss, $"{after} vs {before}");
    }

    [Fact]
    public void FedProxKeepsWeightsCloserToTheStart()
    {
        using var data = new TensorData(MnistTestData.Train.Take(300));
        var trainer = new LocalTrainer(ModelSpec.Mnist2nn);
        var start = ModelWeights.Initial(ModelSpec.Mnist2nn, 1);
        var plain = trainer.Train(start, data, Small with { Epochs = 2 }).Weights.DistanceTo(start);
        var proximal = trainer.Train(start, data, Small with { Epochs = 2, ProximalMu = 1.0 }).Weights.DistanceTo(start);
        output.WriteLine($"distance from start: plain {plain:F4}, FedProx μ=1 {proximal:F4}");
        Assert.True(proximal < 0.9 * plain);
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        using var data = new TensorData(MnistTestData.Train.Take(300));
        var trainer = new LocalTrainer(ModelSpec.Mnist2nn);
        using var cts = new CancellationTokenSource();
        var batches = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(ModelWeights.Initial(ModelSpec.Mnist2nn, 1), data,
            Small with { ProgressEveryBatches = 1 }, p => { batches = p.Batch; if (p.Batch == 3) cts.Cancel(); }, cts.Token));
        Assert.Equal(3, batches);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        using var data = new TensorData(MnistTestData.Train.Take(10));
        var trainer = new LocalTrainer(ModelSpec.Mnist2nn);
        var start = ModelWeights.Initial(ModelSpec.Mnist2nn, 1);
        Assert.Throws<ArgumentException>(() => trainer.Train(start, data, Small with { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => trainer.Train(start, data, Small with { LearningRate = -1 }));
        Assert.Throws<ArgumentException>(() => trainer.Train(start, data, Small with { Momentum = 1 }));
    }
}
