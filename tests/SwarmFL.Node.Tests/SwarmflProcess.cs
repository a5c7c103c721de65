using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests;

/// <summary>Runs the real swarmfl executable (built next to the tests) as a child process.</summary>
public static class SwarmflProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "swarmfl.dll");

    public static Task<ProcessResult> RunAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", new[] { Dll }.Concat(args));
}
