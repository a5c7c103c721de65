using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Models.Declarative;
using SwarmFL.Learning.Models.TorchScript;
using SwarmFL.Learning.Training;
using SwarmFL.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Tests.Models.TorchScript;

/// <summary>
/// Cross-checks with Debian's PyTorch 1.13 (python3-torch): TorchScript files exported there (a traced MLP, a scripted
/// CNN with BatchNorm) train here to PyTorch's losses over five full-batch SGD steps, and the weights trained here (both
/// TorchScript models and a JSON model) load into the same PyTorch modules with load_state_dict(strict=True) and give
/// the same logits. Tolerance: 1e-5 absolute on losses and logits (float32 kernels of libtorch 1.13 and 2.10 may round
/// differently; measured differences are about 1e-7).
/// </summary>
public sealed class PyTorchCrossCheckTests : IClassFixture<PyTorchCrossCheckTests.Exported>
{
    private const double Tolerance = 1e-5;
    private const int Samples = 32;
    private static readonly string Script = Path.Combine(RepoPaths.Root, "tests", "SwarmFL.Learning.Tests", "Models", "TorchScript", "crosscheck.py");

    private readonly Exported _exported;
    private readonly ITestOutputHelper _output;

    public PyTorchCrossCheckTests(Exported exported, ITestOutputHelper output) => (_exported, _output) = (exported, output);

    /// <summary>The Python export, run once for the class: the .pt files, the data and PyTorch's losses.</summary>
    public sealed class Exported : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("swarmfl-torch-").FullName;
        public string Python { get; } = SwarmFL.Learning.Tests.Python.WithTorch();
        public JsonElement Losses { get; }

        public Exported()
        {
            ProcessRunner.RunAsync(Python, [Script, "export", Folder]).GetAwaiter().GetResult().EnsureSuccess("crosscheck.py export");
            Losses = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "losses.json"))).RootElement.Clone();
        }

        public TensorData Data()
        {
            var x = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Folder, "x.bin"))).ToArray();
            var y = MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(Path.Combine(Folder, "y.bin"))).ToArray();
            return new TensorData(tensor(x, [Samples, 1, 8, 8]), tensor(y, [Samples]));
        }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    private static readonly TrainingOptions FullBatch = new()
    {
        Epochs = 5, BatchSize = Samples, LearningRate = 0.1, Threads = 1, Seed = 1, ProgressEveryBatches = 1,
    };

    private (TrainingResult Result, double[] Losses) Train(ModelDefinition model, ModelWeights start)
    {
        using var data = _exported.Data();
        var losses = new List<double>();
        var result = new LocalTrainer(model).Train(start, data, FullBatch, p => losses.Add(p.AverageLoss));
        return (result, losses.ToArray());
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    public void TorchScriptTrainsHereToPyTorchsLosses(string name)
    {
        var model = TorchScriptModel.Load(Path.Combine(_exported.Folder, name + ".pt"));
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(Path.Combine(_exported.Folder, name + ".pt"))), model.Hash());
        Assert.Equal([4], model.DryRun([1, 8, 8]));
        var (result, losses) = Train(model, model.Initial(0));
        var expected = _exported.Losses.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        _output.WriteLine($"{name} (PyTorch {_exported.Losses.GetProperty("torch").GetString()}): here [{string.Join(", ", losses)}], there [{string.Join(", ", expected)}]");
        Assert.Equal(5, losses.Length);
        for (var i = 0; i < expected.Length; i++) Assert.InRange(losses[i] - expected[i], -Tolerance, Tolerance);
        Assert.True(losses[^1] < losses[0]);
        if (name == "cnn")
        {
            Assert.Equal(TensorDType.I64, model.Layout.Find("bn.num_batches_tracked")!.DType);
            Assert.Equal(5f, result.Weights["bn.num_batches_tracked"][0]);
            Assert.NotEqual(0f, result.Weights["bn.running_mean"][0]);
        }
    }

    [Fact]
    public void WeightsWrittenHereLoadIntoThePyTorchModulesAndGiveTheSameLogits()
    {
        var models = new Dictionary<string, ModelDefinition>
        {
            ["mlp"] = TorchScriptModel.Load(Path.Combine(_exported.Folder, "mlp.pt")),
            ["cnn"] = TorchScriptModel.Load(Path.Combine(_exported.Folder, "cnn.pt")),
            ["json"] = DeclarativeModel.Parse("""
                {"format":"swarmfl-model/1","name":"json-cnn","input":[1,8,8],"layers":[
                  {"type":"conv2d","out":2,"kernel":3},{"type":"batchnorm2d"},{"type":"relu"},{"type":"flatten"},
                  {"type":"linear","out":4,"name":"head"}]}
                """),
        };
        var expected = new Dictionary<string, float[]>();
        using var data = _exported.Data();
        foreach (var (name, model) in models)
        {
            var trained = Train(model, model.Initial(5)).Result.Weights;
            SafeTensors.Write(trained, Path.Combine(_exported.Folder, name + ".safetensors"));
            using var network = model.Build();
            network.LoadWeights(trained);
            network.Module.eval();
            using var _ = no_grad();
            using var logits = network.Forward(data.Images);
            expected[name] = logits.flatten().data<float>().ToArray();
        }
        ProcessRunner.RunAsync(_exported.Python, [Script, "check", _exported.Folder]).GetAwaiter().GetResult().EnsureSuccess("crosscheck.py check");
        var there = JsonDocument.Parse(File.ReadAllText(Path.Combine(_exported.Folder, "logits.json"))).RootElement;
        foreach (var (name, here) in expected)
        {
            var values = there.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(here.Length, values.Length);
            var worst = here.Zip(values).Max(p => Math.Abs(p.First - p.Second));
            _output.WriteLine($"{name}: largest logit difference {worst:E2} over {here.Length} logits");
            Assert.InRange(worst, 0, Tolerance);
        }
    }

    [Fact]
    public void ADryRunOnTheWrongShapeNamesTheShape()
    {
        var model = TorchScriptModel.Load(Path.Combine(_exported.Folder, "cnn.pt"));
        var e = Assert.Throws<ModelFormatException>(() => model.DryRun([3, 5, 5]));
        Assert.Contains("[3,5,5]", e.Message);
    }

    [Fact]
    public void AFetchedTorchScriptFileLoadsOnlyWhenTrusted()
    {
        var path = Path.Combine(_exported.Folder, "fetched-mlp");
        File.Copy(Path.Combine(_exported.Folder, "mlp.pt"), path, overwrite: true);
        var e = Assert.Throws<UntrustedModelException>(() => ModelResolver.FromFetched(path, trusted: false));
        Assert.Contains("--trust-model", e.Message);
        Assert.Equal(ModelKind.TorchScript, ModelResolver.FromFetched(path, trusted: true).Kind);
        // A declarative file needs no trust: it runs no code.
        var json = Path.Combine(_exported.Folder, "fetched-json");
        File.WriteAllText(json, """{"format":"swarmfl-model/1","name":"j","input":[4],"layers":[{"type":"linear","out":2}]}""");
        Assert.Equal(ModelKind.Declarative, ModelResolver.FromFetched(json, trusted: false).Kind);
    }

    [Fact]
    public void AFileThatIsNotTorchScriptIsRefusedByName()
    {
        var path = Path.Combine(_exported.Folder, "broken.pt");
        File.WriteAllBytes(path, [.. "PK\u0003\u0004"u8, .. new byte[100]]);
        var e = Assert.Throws<ModelFormatException>(() => ModelResolver.Load(path));
        Assert.Contains("broken.pt", e.Message);
    }
}
