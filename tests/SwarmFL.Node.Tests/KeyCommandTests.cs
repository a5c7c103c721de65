using SwarmFL.Node.Cli;

namespace SwarmFL.Node.Tests;

public sealed class KeyCommandTests : IDisposable
{
    private const string HardhatKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Import_then_show_prints_the_hardhat_peer_id_and_checksummed_address()
    {
        var path = Path.Combine(_dir, "hardhat.key");
        (await SwarmflProcess.RunAsync("key", "import", "--hex", HardhatKey, "--out", path)).EnsureSuccess("key import");
        var show = (await SwarmflProcess.RunAsync("key", "show", "--key", path)).EnsureSuccess("key show");
        var lines = show.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("peer-id: 16Uiu2HAmMUjGmiUhJeiZgu6ZZnLRkE2VViR2JgjqtW9aTZnHQqgg", lines[0]);
        Assert.Equal("address: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", lines[1]);
    }

    [Fact]
    public async Task New_writes_a_0600_key_and_refuses_to_overwrite_it()
    {
        var path = Path.Combine(_dir, "node.key");
        var first = await SwarmflProcess.RunAsync("key", "new", "--out", path);
        Assert.Equal(ExitCodes.Ok, first.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var before = await File.ReadAllTextAsync(path);

        var second = await SwarmflProcess.RunAsync("key", "new", "--out", path);
        Assert.Equal(ExitCodes.BadInput, second.ExitCode);
        Assert.Contains(path, second.StdErr);
        Assert.Equal(before, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Show_names_a_missing_or_malformed_key_file()
    {
        var missing = await SwarmflProcess.RunAsync("key", "show", "--key", Path.Combine(_dir, "nope.key"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Contains("nope.key", missing.StdErr);

        var garbage = Path.Combine(_dir, "garbage.key");
        await File.WriteAllTextAsync(garbage, "hello");
        var malformed = await SwarmflProcess.RunAsync("key", "show", "--key", garbage);
        Assert.Equal(ExitCodes.BadInput, malformed.ExitCode);
        Assert.Contains("garbage.key", malformed.StdErr);
    }

    [Fact]
    public async Task Import_refuses_a_wrong_hex_key()
    {
        var result = await SwarmflProcess.RunAsync("key", "import", "--hex", "0x12zz", "--out", Path.Combine(_dir, "x.key"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--hex", result.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.key")));
    }

    [Fact]
    public async Task Unknown_commands_and_missing_options_are_usage_errors()
    {
        Assert.Equal(ExitCodes.Usage, (await SwarmflProcess.RunAsync("frobnicate")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await SwarmflProcess.RunAsync("key", "show")).ExitCode);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var result = (await SwarmflProcess.RunAsync("version")).EnsureSuccess("version");
        Assert.Matches(@"^swarmfl \d+\.\d+\.\d+", result.StdOut);
    }
}
