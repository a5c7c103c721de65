using System.Diagnostics;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Hostile;

/// <summary>
/// A real `swarmfl p2p listen` process on loopback, as a hostile peer would find it: its address, its resident
/// memory (from /proc) and how many bytes of log it has written to stderr. SWARMFL_PROBE_SWARMFL names another
/// swarmfl.dll to run (the probes script measures a build from before the limits with it).
/// </summary>
public sealed class ListeningPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private long _logBytes;

    private ListeningPeer(Process process, string dir, Multiaddr address)
    {
        _process = process;
        _dir = dir;
        Address = address;
    }

    public Multiaddr Address { get; }
    public int Pid => _process.Id;
    public long LogBytes => Interlocked.Read(ref _logBytes);
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the listener; <paramref name="limitsJson"/>, when given, is passed as its --limits file.</summary>
    public static async Task<ListeningPeer> StartAsync(string? limitsJson = null)
    {
        var dir = Directory.CreateTempSubdirectory("swarmfl-hostile").FullName;
        // tests/benchmarks/p2p/probes.sh points this at a swarmfl built from an older revision, for before/after figures.
        var dll = Environment.GetEnvironmentVariable("SWARMFL_PROBE_SWARMFL") is { Length: > 0 } other ? other : SwarmflProcess.Dll;
        var args = new List<string> { dll, "p2p", "listen", "--key", Path.Combine(dir, "node.key"), "--listen", "/ip4/127.0.0.1/tcp/0" };
        if (limitsJson is not null)
        {
            var limits = Path.Combine(dir, "limits.json");
            await File.WriteAllTextAsync(limits, limitsJson);
            args.AddRange(["--limits", limits]);
        }
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start swarmfl p2p listen");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var first = await process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"swarmfl p2p listen ended before printing its address: {await process.StandardError.ReadToEndAsync()}");
        var peer = new ListeningPeer(process, dir, Multiaddr.Parse(first));
        _ = peer.CountLogAsync();
        return peer;
    }

    private async Task CountLogAsync()
    {
        var buffer = new char[8192];
        var reader = _process.StandardError;
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0) Interlocked.Add(ref _logBytes, n);
    }

    /// <summary>Resident memory now (VmRSS) and the peak since start (VmHWM), in bytes.</summary>
    public (long Rss, long Peak) Memory()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kib(line);
        }
        return (rss, peak);
        static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
