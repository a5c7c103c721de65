using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models.Declarative;
using SwarmFL.Node.Cli;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests;

/// <summary>`--model NAME|FILE` on the commands: a JSON model file trains and merges like a built-in; bad ones exit 3 naming the fault.</summary>
public sealed class ModelOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-model-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task A_json_model_file_gives_genesis_train_and_merge_with_its_layout()
    {
        var model = Write("tiny.json", """{"format":"swarmfl-model/1","name":"tiny","input":[1,28,28],"layers":[{"type":"flatten"},{"type":"linear","out":16},{"type":"batchnorm1d"},{"type":"relu"},{"type":"linear","out":10}]}""");
        var layout = DeclarativeModel.Load(model).Layout;
        var genesis = Path.Combine(_dir, "g.safetensors");
        var id = (await SwarmflProcess.RunAsync("genesis", "--model", model, "--seed", "3", "--out", genesis)).EnsureSuccess("genesis").StdOut.Trim();
        Assert.Equal(ContentId.Of(await File.ReadAllBytesAsync(genesis)).ToString(), id);
        Assert.True(SafeTensors.Load(genesis, layout).BitwiseEquals(DeclarativeModel.Load(model).Initial(3)));
        var trained = Path.Combine(_dir, "t.safetensors");
        (await SwarmflProcess.RunAsync("train", "--model", model, "--data", RepoPaths.MnistData, "--parts", "60", "--part", "1",
            "--threads", "1", "--init", genesis, "--out", trained)).EnsureSuccess("train");
        var merged = Path.Combine(_dir, "m.safetensors");
        (await SwarmflProcess.RunAsync("merge", "--model", model, $"{genesis}:10", $"{trained}:30", "--out", merged)).EnsureSuccess("merge");
        var weights = SafeTensors.Load(merged, layout);
        Assert.Equal(SafeTensors.Load(trained, layout)["1.weight"].Length, weights["1.weight"].Length);
        Assert.Equal(SafeTensors.Load(trained, layout)["2.num_batches_tracked"][0], weights["2.num_batches_tracked"][0]); // the maximum
    }

    [Fact]
    public async Task A_bad_model_file_exits_3_naming_the_file_layer_and_field()
    {
        var bad = Write("bad.json", """{"format":"swarmfl-model/1","name":"b","input":[1,28,28],"layers":[{"type":"conv2d","out":4,"kernel":40}]}""");
        var result = await SwarmflProcess.RunAsync("genesis", "--model", bad);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("bad.json", result.StdErr);
        Assert.Contains("layer 0 (conv2d): field 'kernel'", result.StdErr);
        var missing = await SwarmflProcess.RunAsync("genesis", "--model", Path.Combine(_dir, "nope.json"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Contains("neither a built-in model", missing.StdErr);
    }
}
