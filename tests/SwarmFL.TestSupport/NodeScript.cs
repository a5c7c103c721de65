namespace SwarmFL.TestSupport;

/// <summary>
/// Runs a node.js reference script (ethers, js-libp2p, multiformats) from tests/interop and returns what it printed.
/// Node 20 lacks Promise.withResolvers, which js-libp2p needs, so every script is started with the polyfill preloaded.
/// </summary>
public static class NodeScript
{
    public static string Polyfill => Path.Combine(RepoPaths.Interop, "polyfill.mjs");

    public static async Task<string> RunAsync(string scriptRelativeToInterop, IEnumerable<string> args, string? stdin = null, CancellationToken ct = default)
    {
        RepoPaths.RequireNodeModules();
        var script = Path.Combine(RepoPaths.Interop, scriptRelativeToInterop);
        var all = new List<string> { "--import", Polyfill, script };
        all.AddRange(args);
        var result = await ProcessRunner.RunAsync("node", all, RepoPaths.Root, stdin, ct: ct);
        return result.EnsureSuccess($"node {scriptRelativeToInterop}").StdOut;
    }
}
