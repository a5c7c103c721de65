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
        var truncated = await SwarmflProcess.RunAsync("merge", "--strict", $"{a}:10", $"{cut}:10", "--out", Path.Combine(_dir, "x.safetensors"));
        Assert.Equal(ExitCodes.BadInput, truncated.ExitCode);
        Assert.Contains("cut.safetensors", truncated.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.safetensors")));

        var wrongModel = await SwarmflProcess.RunAsync("eval", "--model", "mnist-cnn", "--data", RepoPaths.MnistData, a);
        Assert.Equal(ExitCodes.BadInput, wrongModel.ExitCode);
        Assert.Contains("do not match", wrongModel.StdErr);

        var zero = await SwarmflProcess.RunAsync("merge", $"{a}:0", "--out", Path.Combine(_dir, "y.safetensors"));
        Assert.Equal(ExitCodes.BadInput, zero.ExitCode);
        Assert.Contains("no valid input remains", zero.StdErr);
    }

    private string Write(ModelWeights weights, string name)
    {
        var path = Path.Combine(_dir, name);
        SafeTensors.Write(weights, path);
        return path;
    }

    [Fact]
    public async Task A_NaN_input_is_dropped_and_the_median_of_the_rest_is_written()
    {
        var layout = ModelSpec.Mnist2nn.Layout();
        var models = Enumerable.Range(1, 4).Select(seed => ModelWeights.Initial(ModelSpec.Mnist2nn, (ulong)seed)).ToArray();
        models[3]["fc1.bias"][7] = float.NaN;
        var (a, b, c, bad) = (Write(models[0], "a.safetensors"), Write(models[1], "b.safetensors"), Write(models[2], "c.safetensors"), Write(models[3], "bad.safetensors"));
        var cut = Path.Combine(_dir, "cut.safetensors");
        await File.WriteAllBytesAsync(cut, (await File.ReadAllBytesAsync(a))[..1000]);
        var padded = Path.Combine(_dir, "padded.safetensors");
        await File.WriteAllBytesAsync(padded, [.. await File.ReadAllBytesAsync(a), 0, 0, 0, 0]);
        var cnn = Write(ModelWeights.Initial(ModelSpec.MnistCnn, 9), "cnn.safetensors");
        var output = Path.Combine(_dir, "median.safetensors");

        var merge = (await SwarmflProcess.RunAsync("merge", "--strategy", "median", $"{a}:600", $"{b}:500", $"{c}:400", $"{bad}:400",
            $"{cut}:400", $"{padded}:400", $"{cnn}:400", "--out", output)).EnsureSuccess("merge");

        var expected = new CoordinateMedian().Aggregate(new UpdateSet(layout,
            [ModelUpdate.InMemory(models[0], 600), ModelUpdate.InMemory(models[1], 500), ModelUpdate.InMemory(models[2], 400)]));
        Assert.Equal(expected.ContentId().ToString(), merge.StdOut.Trim());
        Assert.Equal(expected.ContentId(), ContentId.Of(await File.ReadAllBytesAsync(output)));
        var dropped = merge.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("dropped ")).ToArray();
        Assert.Equal(4, dropped.Length);
        Assert.Contains(dropped, l => l.Contains("bad.safetensors") && l.Contains("non-finite") && l.Contains("fc1.bias"));
        Assert.Contains(dropped, l => l.Contains("cut.safetensors") && l.Contains("wrong size"));
        Assert.Contains(dropped, l => l.Contains("padded.safetensors") && l.Contains("wrong size"));
        Assert.Contains(dropped, l => l.Contains("cnn.safetensors") && l.Contains("wrong size"));

        var strict = await SwarmflProcess.RunAsync("merge", "--strict", "--strategy", "median", $"{a}:600", $"{b}:500", $"{bad}:400",
            "--out", Path.Combine(_dir, "strict.safetensors"));
        Assert.Equal(ExitCodes.BadInput, strict.ExitCode);
        Assert.Contains("bad.safetensors", strict.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "strict.safetensors")));
    }

    [Fact]
    public async Task Simulate_with_an_attack_drops_the_NaN_clients_each_round_and_refuses_a_malformed_attack()
    {
        var run = (await SwarmflProcess.RunAsync("simulate", "--model", "mnist-2nn", "--data", RepoPaths.MnistData, "--clients", "5", "--fraction", "1",
            "--epochs", "1", "--rounds", "2", "--train-samples", "500", "--test-samples", "100", "--threads", "1", "--attack", "nan:0.2")).EnsureSuccess("simulate");
        Assert.Contains("attack nan:0.2 (1 of 5 clients)", run.StdOut);
        Assert.Equal(2, run.StdOut.Split('\n').Count(l => l.StartsWith("round ") && l.EndsWith("1 attacking, 1 dropped")));

        var malformed = await SwarmflProcess.RunAsync("simulate", "--model", "mnist-2nn", "--data", RepoPaths.MnistData, "--attack", "flip:0.1");
        Assert.Equal(ExitCodes.BadInput, malformed.ExitCode);
        Assert.Contains("--attack", malformed.StdErr);
        Assert.Contains("sign-flip | scaled | nan | inflated-samples", malformed.StdErr);
    }
}
