using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Devnet;

/// <summary>
/// `devnet up --model --data` refuses bad input before it starts anything (no chain, no nodes): stderr names the file
/// and the row, column or layer, and the exit code is 3 (bad input) or 2 (flags that do not go together).
/// </summary>
public sealed class DevnetOwnDataInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-devnet-own-data").FullName;
    private static string TabularModel => Path.Combine(RepoPaths.Root, "examples", "tabular-csv", "model.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Csv(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private Task<ProcessResult> Up(params string[] args) =>
        SwarmflProcess.RunAsync(["devnet", "up", "--nodes", "3", "--rounds", "1", "--out", Path.Combine(_dir, "runs"), "--no-dashboard", .. args]);

    private static string Rows(int n) => string.Concat(Enumerable.Range(0, n).Select(i => $"{i},{i * 2},{i % 7},{i * 0.5},{(i % 3 == 0 ? "a" : "b")}\n"));

    [Fact]
    public async Task A_ragged_row_is_refused_naming_the_file_and_row()
    {
        var csv = Csv("ragged.csv", "w,x,y,z,label\n" + Rows(5) + "1,2,3\n");
        var run = await Up("--model", TabularModel, "--data", csv);
        Assert.True(run.ExitCode == 3, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("ragged.csv, row 7", run.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")), "nothing may start on bad input");
    }

    [Fact]
    public async Task A_missing_label_column_is_refused_naming_it()
    {
        var csv = Csv("data.csv", "w,x,y,z,label\n" + Rows(30));
        var run = await Up("--model", TabularModel, "--data", csv, "--label", "diagnosis");
        Assert.True(run.ExitCode == 3, $"exit {run.ExitCode}\n{run.StdErr}");
        Assert.Contains("diagnosis", run.StdErr);
        Assert.Contains("data.csv", run.StdErr);
    }

    [Fact]
    public async Task A_model_that_does_not_take_the_data_is_refused_naming_the_shapes()
    {
        var csv = Csv("wide.csv", "v,w,x,y,z,label\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i},{i},{i},{i},{i},{i % 3}\n")));
        var run = await Up("--model", TabularModel, "--data", csv);
        Assert.True(run.ExitCode == 3, $"exit {run.ExitCode}\n{run.StdErr}");
        Assert.Contains("[4]", run.StdErr);
        Assert.Contains("[5]", run.StdErr);
    }

    [Fact]
    public async Task A_missing_data_file_is_refused_naming_it()
    {
        var run = await Up("--model", TabularModel, "--data", Path.Combine(_dir, "nowhere.csv"));
        Assert.True(run.ExitCode == 3, $"exit {run.ExitCode}\n{run.StdErr}");
        Assert.Contains("nowhere.csv", run.StdErr);
    }

    [Fact]
    public async Task Data_flags_without_data_are_a_usage_error()
    {
        var run = await Up("--label", "diagnosis");
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}\n{run.StdErr}");
        Assert.Contains("--data", run.StdErr);
    }
}
