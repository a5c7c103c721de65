using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Models.BuiltIn;
using SwarmFL.Learning.Models.Declarative;
using SwarmFL.Learning.Tests.Data;
using SwarmFL.Learning.Training;
using SwarmFL.TestSupport;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Tests.Models.Declarative;

/// <summary>The layer builder against the shape inference and the built-in models, on real TorchSharp modules.</summary>
public class DeclarativeModelTests
{
    public static string ExamplePath(string name) =>
        Path.Combine(RepoPaths.Root, "node", "SwarmFL.Learning", "Models", "Declarative", "Examples", name);

    private static readonly TrainingOptions Small = new() { Epochs = 1, BatchSize = 10, LearningRate = 0.05, Threads = 1, Seed = 11 };

    /// <summary>Every layer type, in inputs of the shapes it takes; the built module must have exactly the inferred tensors.</summary>
    public static TheoryData<string, string, int[]> EveryLayer => new()
    {
        { "[3,8,8]", """{"type":"conv2d","out":4,"kernel":3,"stride":2,"padding":1},{"type":"batchnorm2d"},{"type":"relu"},{"type":"maxpool2d","kernel":2},{"type":"avgpool2d","kernel":2,"stride":1},{"type":"adaptiveavgpool2d","output":[2,1]},{"type":"flatten"},{"type":"linear","out":5,"bias":false,"name":"head"}""", [5] },
        { "[2,16]", """{"type":"conv1d","out":3,"kernel":5},{"type":"batchnorm1d","eps":0.001,"momentum":0.2},{"type":"gelu"},{"type":"maxpool1d","kernel":2},{"type":"avgpool1d","kernel":3},{"type":"adaptiveavgpool1d","output":1},{"type":"flatten"},{"type":"silu"},{"type":"linear","out":2}""", [2] },
        { "[6]", """{"type":"linear","out":8},{"type":"batchnorm1d"},{"type":"layernorm"},{"type":"tanh"},{"type":"dropout","p":0.3},{"type":"leaky-relu","slope":0.2},{"type":"sigmoid"},{"type":"linear","out":1}""", [1] },
        { "[7,4]", """{"type":"lstm","hidden":5,"layers":2,"output":"sequence"},{"type":"gru","hidden":3},{"type":"linear","out":2}""", [2] },
        { "[9]", """{"type":"embedding","num":20,"dim":4},{"type":"lstm","hidden":6,"name":"rnn"},{"type":"linear","out":3}""", [3] },
    };

    [Theory]
    [MemberData(nameof(EveryLayer))]
    public void TheBuiltModuleHasTheInferredTensorsAndOutputShape(string input, string layers, int[] output)
    {
        var inputType = layers.Contains("embedding") ? ""","inputType":"int64" """ : "";
        var model = DeclarativeModel.Parse($$"""{"format":"swarmfl-model/1","name":"all","input":{{input}}{{inputType}},"layers":[{{layers}}]}""");
        // ModelNetwork refuses a module whose names, shapes or dtypes differ from the layout.
        using var network = model.Build();
        Assert.Equal(output, model.OutputShape);
        Assert.Equal(output, model.DryRun(model.InputShape!));
        var initial = model.Initial(3);
        network.LoadWeights(initial);
        Assert.True(network.ReadWeights().BitwiseEquals(initial));
        // The weights survive the canonical file, integer buffers included.
        var decoded = SafeTensors.Decode(initial.ToSafeTensors(), model.Layout);
        Assert.True(decoded.BitwiseEquals(initial));
    }

    [Fact]
    public void BatchNormHasAnInt64ScalarCounterThatTrainingAdvances()
    {
        var model = DeclarativeModel.Parse("""{"format":"swarmfl-model/1","name":"bn","input":[4],"layers":[{"type":"linear","out":3},{"type":"batchnorm1d","name":"bn"},{"type":"linear","out":2}]}""");
        var counter = model.Layout.Find("bn.num_batches_tracked")!;
        Assert.Equal(TensorDType.I64, counter.DType);
        Assert.Empty(counter.Shape);
        var random = new DeterministicRandom(5);
        using var data = new TensorData(tensor(Enumerable.Range(0, 40).Select(_ => (float)random.NextGaussian()).ToArray(), [10, 4]),
            tensor(Enumerable.Range(0, 10).Select(i => (long)(i % 2)).ToArray(), [10]));
        var trained = new LocalTrainer(model).Train(model.Initial(1), data, Small with { BatchSize = 5 });
        Assert.Equal(2f, trained.Weights["bn.num_batches_tracked"][0]);
        Assert.Equal(2, trained.Steps);
    }

    [Theory]
    [InlineData("mnist-2nn.json", "mnist-2nn")]
    [InlineData("mnist-cnn.json", "mnist-cnn")]
    public void TheJsonFormOfABuiltInHasItsLayoutAndInitialBytes(string file, string builtIn)
    {
        var json = DeclarativeModel.Load(ExamplePath(file));
        var reference = BuiltInModel.ByName(builtIn)!;
        Assert.True(json.Layout.SameAs(reference.Layout), json.Layout.Difference(reference.Layout));
        Assert.Equal(reference.Initial(7).ContentId(), json.Initial(7).ContentId());
        Assert.NotEqual(reference.HashHex, json.HashHex);
    }

    [Theory]
    [InlineData("mnist-2nn.json", "mnist-2nn", 300)]
    [InlineData("mnist-cnn.json", "mnist-cnn", 60)]
    public void FromTheSameSeedAndDataTheJsonFormTrainsToTheBuiltInsBytes(string file, string builtIn, int samples)
    {
        var json = DeclarativeModel.Load(ExamplePath(file));
        var reference = BuiltInModel.ByName(builtIn)!;
        using var data = new TensorData(MnistTestData.Train.Take(samples));
        var options = Small with { Epochs = 2, Momentum = 0.9, WeightDecay = 1e-4 };
        var a = new LocalTrainer(reference).Train(reference.Initial(2), data, options);
        var b = new LocalTrainer(json).Train(json.Initial(2), data, options);
        Assert.Equal(a.Weights.ContentId(), b.Weights.ContentId());
        Assert.Equal(a.AverageLoss, b.AverageLoss);
        Assert.False(a.Weights.BitwiseEquals(reference.Initial(2)));
        var test = new TensorData(MnistTestData.Test.Take(200));
        Assert.Equal(new LocalTrainer(reference).Evaluate(a.Weights, test), new LocalTrainer(json).Evaluate(b.Weights, test));
    }

    [Fact]
    public void DropoutIsRepeatableFromTheSeed()
    {
        var model = DeclarativeModel.Parse("""{"format":"swarmfl-model/1","name":"d","input":[1,28,28],"layers":[{"type":"flatten"},{"type":"linear","out":32},{"type":"dropout","p":0.5},{"type":"linear","out":10}]}""");
        using var data = new TensorData(MnistTestData.Train.Take(100));
        var a = new LocalTrainer(model).Train(model.Initial(1), data, Small);
        var b = new LocalTrainer(model).Train(model.Initial(1), data, Small);
        var c = new LocalTrainer(model).Train(model.Initial(1), data, Small with { Seed = 99 });
        Assert.True(a.Weights.BitwiseEquals(b.Weights));
        Assert.False(a.Weights.BitwiseEquals(c.Weights));
    }

    [Fact]
    public void ADryRunOnDataOfAnotherShapeSaysBoth()
    {
        var model = DeclarativeModel.Load(ExamplePath("mnist-2nn.json"));
        var e = Assert.Throws<ModelFormatException>(() => model.DryRun([3, 32, 32]));
        Assert.Contains("[1,28,28]", e.Message);
        Assert.Contains("[3,32,32]", e.Message);
    }

    [Fact]
    public void WeightsOfAnotherModelAreRefusedBeforeAnyCopy()
    {
        var model = DeclarativeModel.Load(ExamplePath("mnist-2nn.json"));
        using var network = model.Build();
        var transposed = new TensorLayout(model.Layout.Tensors.Select(t => t.Name == "fc3.bias" ? t with { Shape = [1, 10] } : t));
        var e = Assert.Throws<ModelFileException>(() => network.LoadWeights(ModelWeights.Zeros(transposed)));
        Assert.Contains("fc3.bias", e.Message);
        Assert.Contains("[1,10]", e.Message);
        var before = network.ReadWeights();
        Assert.True(before.BitwiseEquals(network.ReadWeights()));
    }
}
