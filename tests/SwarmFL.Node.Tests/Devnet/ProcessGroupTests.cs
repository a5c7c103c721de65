using SwarmFL.Node.Devnet;

namespace SwarmFL.Node.Tests.Devnet;

/// <summary>No child outlives the launcher: polite SIGTERM first, SIGKILL of the whole tree after the grace period.</summary>
public sealed class ProcessGroupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-devnet-procs").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static bool Alive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited && File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z");
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task<int> WaitForPidFile(string path)
    {
        for (var i = 0; i < 200 && !File.Exists(path); i++) await Task.Delay(50);
        for (var i = 0; i < 100; i++)
        {
            if (int.TryParse(File.ReadAllText(path).Trim(), out var pid)) return pid;
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"no pid in {path}");
    }

    [Fact]
    public async Task Stop_ends_a_child_that_honours_sigterm_and_logs_its_output()
    {
        var log = Path.Combine(_dir, "sleeper.log");
        await using var group = new ProcessGroup();
        var child = group.Start("sleeper", "/bin/bash", ["-c", "trap 'echo got-term; kill $!; exit 0' TERM; echo started; sleep 300 & wait"], log);
        for (var i = 0; i < 200 && !File.ReadAllLines(log).Contains("started"); i++) await Task.Delay(50);

        await group.StopAllAsync(TimeSpan.FromSeconds(20));

        Assert.True(child.HasExited);
        Assert.Equal(0, child.ExitCode); // it exited through its own TERM handler, not SIGKILL
        Assert.Contains("got-term", File.ReadAllText(log));
    }

    [Fact]
    public async Task A_child_that_ignores_sigterm_is_killed_with_its_descendants_after_the_grace_period()
    {
        var grandchildPid = Path.Combine(_dir, "grandchild.pid");
        await using var group = new ProcessGroup();
        var child = group.Start("stubborn", "/bin/bash", ["-c", $"trap '' TERM; sleep 300 & echo $! > {grandchildPid}; wait"], Path.Combine(_dir, "stubborn.log"));
        var grandchild = await WaitForPidFile(grandchildPid);
        Assert.True(Alive(grandchild));

        await group.StopAllAsync(TimeSpan.FromMilliseconds(500));

        Assert.True(child.HasExited);
        Assert.NotEqual(0, child.ExitCode);
        for (var i = 0; i < 100 && Alive(grandchild); i++) await Task.Delay(50);
        Assert.False(Alive(grandchild), "the grandchild outlived the stop");
    }

    [Fact]
    public async Task Disposing_the_group_stops_everything_still_running()
    {
        ManagedProcess child;
        await using (var group = new ProcessGroup())
        {
            child = group.Start("sleeper", "/bin/sleep", ["300"], Path.Combine(_dir, "s.log"));
            Assert.False(child.HasExited);
        }
        Assert.True(child.HasExited);
    }
}
