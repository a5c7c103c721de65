using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests;

/// <summary>Runs the real swarmfl executable (built next to the tests) as a child process.</summary>
public static class SwarmflProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "swarmfl.dll");

    public static Task<ProcessResult> RunAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", new[] { Dll }.Concat(args));

    /// <summary>Runs swarmfl to the end and returns its stdout; a non-zero exit fails the test with what it printed.</summary>
    public static async Task<string> OutputOfAsync(params string[] args) =>
        (await RunAsync(args)).EnsureSuccess($"swarmfl {string.Join(' ', args)}").StdOut;

    /// <summary>
    /// Starts swarmfl without waiting for it, its stdout lines going to <paramref name="onLine"/> (stderr is drained, or
    /// goes to <paramref name="onErrorLine"/>),
    /// for tests that act on a run while it goes on (signals, live pages).
    /// </summary>
    public static System.Diagnostics.Process Start(IEnumerable<string> args, Action<string> onLine, IDictionary<string, string>? env = null,
        Action<string>? onErrorLine = null)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in new[] { Dll }.Concat(args)) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var process = System.Diagnostics.Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        if (onErrorLine is not null) process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onErrorLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
