using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Node.Cli;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests;

/// <summary>`swarmfl train | merge | eval` on real MNIST (small parts of it, mnist-2nn, one thread).</summary>
public sealed class LearningCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-learn-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> TrainAsync(int part, string name)
    {
        var path = Path.Combine(_dir, name);
        var result = (await SwarmflProcess.RunAsync("train", "--model", "mnist-2nn", "--data", RepoPaths.MnistData,
            "--partition", "iid", "--parts", "60", "--part", part.ToString(), "--epochs", "1", "--batch", "10",
            "--lr", "0.05", "--threads", "1", "--out", path)).EnsureSuccess("train");
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("accuracy: ", lines[^3]);
        Assert.InRange(double.Parse(lines[^3]["accuracy: ".Length..], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
        Assert.StartsWith("loss: ", lines[^2]);
        Assert.Equal(ContentId.Of(await File.ReadAllBytesAsync(path)).ToString(), lines[^1]);
        return path;
    }

    [Fact]
    public async Task Train_merge_and_eval_agree_with_the_library()
    {
        var a = await TrainAsync(3, "a.safetensors");
        var b = await TrainAsync(4, "b.safetensors");
        var merged = Path.Combine(_dir, "m.safetensors");
        var merge = (await SwarmflProcess.RunAsync("merge", "--strategy", "fedavg", $"{a}:600", $"{b}:400", "--out", merged)).EnsureSuccess("merge");
        var swapped = (await SwarmflProcess.RunAsync("merge", "--strategy", "fedavg", $"{b}:400", $"{a}:600", "--out", merged + "2")).EnsureSuccess("merge");
        Assert.Equal(merge.StdOut, swapped.StdOut);

        var layout = ModelSpec.Mnist2nn.Layout();
        var expected = new FedAvg().Aggregate(new UpdateSet(layout,
            [ModelUpdate.InMemory(SafeTensors.Load(a, layout), 600), ModelUpdate.InMemory(SafeTensors.Load(b, layout), 400)]));
        Assert.Equal(expected.ContentId().ToString(), merge.StdOut.Trim());

        var eval = (await SwarmflProcess.RunAsync("eval", "--model", "mnist-2nn", "--data", RepoPaths.MnistData, merged)).EnsureSuccess("eval");
        Assert.Contains("samples: 10000", eval.StdOut);
    }

    [Fact]
    public async Task Bad_model_files_are_refused_with_the_file_name()
    {
        var a = await TrainAsync(5, "a.safetensors");
        var cut = Path.Combine(_dir, "cut.safetensors");
        await File.WriteAllBytesAsync(cut, (await File.ReadAllBytesAsync(a))[..1000]);
        var truncated = await SwarmflProcess.RunAsync("merge", $"{a}:10", $"{cut}:10", "--out", Path.Combine(_dir, "x.safetensors"));
        Assert.Equal(ExitCodes.BadInput, truncated.ExitCode);
        Assert.Contains("cut.safetensors", truncated.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.safetensors")));

        var wrongModel = await SwarmflProcess.RunAsync("eval", "--model", "mnist-cnn", "--data", RepoPaths.MnistData, a);
        Assert.Equal(ExitCodes.BadInput, wrongModel.ExitCode);
        Assert.Contains("do not match", wrongModel.StdErr);

        var zero = await SwarmflProcess.RunAsync("merge", $"{a}:0", "--out", Path.Combine(_dir, "y.safetensors"));
        Assert.Equal(ExitCodes.BadInput, zero.ExitCode);
    }
}
