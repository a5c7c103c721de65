using System.Security.Cryptography;
using System.Text.Json;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Issue #12's done-when, exactly as a user runs it: one CSV file, one TorchScript model exported by PyTorch
/// (Debian's python3-torch, through the tabular example's own export script), and one `devnet up --model FILE --data
/// FILE` command with relative paths, as devnet/up passes them. The launcher fits and pins the data spec, partitions
/// the CSV across three real node processes on a real Hardhat chain, scores the merged models and the local-only
/// baselines in the task's headline metric, and its `audit --verify` must pass. The second test does the same with an
/// image folder (MNIST digits written as PNG files by the image-folder example) and that example's TorchScript CNN.
/// </summary>
public sealed class DevnetOwnDataSwarmTests : IDisposable
{
    private const int Rounds = 2;
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-devnet-csv-torchscript").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static async Task RequireTorchAsync()
    {
        var torch = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c", "import torch"]);
        Assert.True(torch.ExitCode == 0, $"this test exports its TorchScript model with Debian's python3-torch, which is missing: run tests/install-tools (apt-get install python3-torch)\n{torch.StdErr}");
    }

    private static async Task Python(string script, params string[] args)
    {
        var run = await ProcessRunner.RunAsync("/usr/bin/python3", [script, .. args]);
        Assert.True(run.ExitCode == 0, $"{script}: exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
    }

    /// <summary>`devnet up` with 3 nodes and <see cref="Rounds"/> rounds, from the test folder (relative paths are the
    /// caller's: devnet/up exports the directory it was called from, then runs from the repository); the run directory.</summary>
    private async Task<string> DevnetUpAsync(params string[] data)
    {
        var run = await ProcessRunner.RunAsync("dotnet",
        [
            SwarmflProcess.Dll, "devnet", "up", .. data, "--nodes", "3", "--rounds", Rounds.ToString(),
            "--cluster-size", "3", "--epochs", "2", "--batch", "20", "--commit-window", "30", "--merge-timeout", "30",
            "--out", Path.Combine(_dir, "runs"), "--no-dashboard", "--timeout", "12",
        ], env: new Dictionary<string, string> { ["SWARMFL_CALLER_DIR"] = _dir });
        var runDir = Directory.Exists(Path.Combine(_dir, "runs")) ? Directory.GetDirectories(Path.Combine(_dir, "runs")).SingleOrDefault() : null;
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}\n{(runDir is null ? "" : NodeLogs(runDir))}");
        Assert.NotNull(runDir);
        return runDir;
    }

    [Fact]
    public async Task One_devnet_up_trains_a_torchscript_model_on_a_csv_and_the_audit_passes()
    {
        RepoPaths.RequireNodeModules();
        await RequireTorchAsync();
        var examples = Path.Combine(RepoPaths.Root, "examples", "tabular-csv");
        await Python(Path.Combine(examples, "make_data.py"), _dir, "--rows", "900");
        await Python(Path.Combine(examples, "export_torchscript.py"), Path.Combine(_dir, "model.pt"));

        var runDir = await DevnetUpAsync("--model", "model.pt", "--data", "train.csv");

        // The pinned data spec names the TorchScript file by the SHA-256 of its bytes, and the task's headline metric.
        using var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "data-spec.json")));
        Assert.Equal("0x" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(_dir, "model.pt")))), spec.RootElement.GetProperty("model").GetString());
        Assert.Equal("accuracy", spec.RootElement.GetProperty("metric").GetString());
        Assert.Equal(["healthy", "type-a", "type-b"], spec.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));

        // Scores are the headline metric on the pooled held-out tenths: three well-separated classes score far above chance.
        using var rounds = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "rounds.json")));
        var list = rounds.RootElement.GetProperty("rounds");
        Assert.Equal(Rounds, list.GetArrayLength());
        // Each node trained on its own third of the 900 rows minus the tenth it holds out: 810 training samples in all.
        var samples = list[0].GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("samples").GetInt64()).ToList();
        Assert.Equal(3, samples.Count);
        Assert.Equal(810, samples.Sum());
        var merged = list[Rounds - 1].GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("semiGlobalTestAccuracy").GetDouble()).ToList();
        Assert.NotEmpty(merged);
        Assert.All(merged, m => Assert.True(m > 0.7, $"merged accuracy {m}"));

        var summary = File.ReadAllText(Path.Combine(runDir, "summary.md"));
        Assert.Contains("headline metric accuracy, scored on the members' pooled held-out tenths", summary);
        Assert.Contains("| part | samples | epochs | test acc |", summary);
        Assert.Contains("**passed**", summary);
        Assert.Contains("audit passed", File.ReadAllText(Path.Combine(runDir, "audit.log")));
        Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(runDir, "accuracy.png"))[0]);
    }

    [Fact]
    public async Task One_devnet_up_trains_a_torchscript_cnn_on_an_image_folder_and_the_audit_passes()
    {
        RepoPaths.RequireNodeModules();
        await RequireTorchAsync();
        var examples = Path.Combine(RepoPaths.Root, "examples", "image-folder");
        await Python(Path.Combine(examples, "make_data.py"), Path.Combine(_dir, "digits"), "--train", "900", "--test", "200");
        await Python(Path.Combine(examples, "export_torchscript.py"), Path.Combine(_dir, "cnn.pt"));

        var runDir = await DevnetUpAsync("--model", "cnn.pt", "--data", "digits/train", "--test-data", "digits/test", "--channels", "1");

        using var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "data-spec.json")));
        Assert.Equal([1, 28, 28], spec.RootElement.GetProperty("input").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(10, spec.RootElement.GetProperty("classes").GetArrayLength());
        using var rounds = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "rounds.json")));
        var list = rounds.RootElement.GetProperty("rounds");
        Assert.Equal(Rounds, list.GetArrayLength());
        // Ten classes, 270 training images per node, two rounds: well above chance (0.1) on the 200 test images.
        var merged = list[Rounds - 1].GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("semiGlobalTestAccuracy").GetDouble()).ToList();
        Assert.NotEmpty(merged);
        Assert.All(merged, m => Assert.True(m > 0.3, $"merged accuracy {m}"));
        var summary = File.ReadAllText(Path.Combine(runDir, "summary.md"));
        Assert.Contains($"scored on the test set {Path.Combine(_dir, "digits", "test")}", summary);
        Assert.Contains("**passed**", summary);
        Assert.Contains("audit passed", File.ReadAllText(Path.Combine(runDir, "audit.log")));
    }

    private static string NodeLogs(string runDir) => string.Join("\n", Directory.GetFiles(Path.Combine(runDir, "nodes"), "node.out.log", SearchOption.AllDirectories)
        .Select(f => $"--- {f}\n{string.Join("\n", File.ReadLines(f).TakeLast(30))}"));
}
