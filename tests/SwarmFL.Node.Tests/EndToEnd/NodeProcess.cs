using System.Diagnostics;
using System.Text.Json;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// One `swarmfl node`/`swarmfl join` process of the end-to-end swarm, restartable with the same arguments and data
/// directory. Its stdout and stderr go to a log file (appended across restarts) that failures print the tail of.
/// By default it runs the swarmfl built next to the tests through `dotnet`; <paramref name="executable"/> runs another
/// (a published release) directly, with <paramref name="environment"/> changes (a null value removes the variable).
/// </summary>
public sealed class NodeProcess(string name, string dataDirectory, string logPath, IReadOnlyList<string> arguments,
    string? executable = null, IReadOnlyDictionary<string, string?>? environment = null) : IDisposable
{
    private readonly object _logGate = new();
    private Process? _process;
    private bool _killed;

    public string Name => name;
    public string DataDirectory => dataDirectory;
    public IReadOnlyList<string> Arguments => arguments;
    public int Starts { get; private set; }
    public bool IsRunning => _process is { HasExited: false };
    /// <summary>The running process's id (null when not running).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;
    /// <summary>Stopped by <see cref="Kill"/> and not started again since.</summary>
    public bool IsKilled { get => Volatile.Read(ref _killed); private set => Volatile.Write(ref _killed, value); }
    /// <summary>Exited by itself with a non-zero code (a crash or a refused start), not killed by the test.</summary>
    public bool HasFailed => !IsKilled && ExitCode is { } code && code != 0;

    /// <summary>The node's identity, from the key it keeps in its data directory (there once the process started up).</summary>
    public EthereumAddress Address => KeyFile.Load(Path.Combine(dataDirectory, "node.key")).Address;

    public string StatusPath => Path.Combine(dataDirectory, "status.json");
    public string RoundsPath => Path.Combine(dataDirectory, "rounds.jsonl");

    public void Start()
    {
        if (IsRunning) throw new InvalidOperationException($"{name} is already running");
        var psi = new ProcessStartInfo(executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (executable is null) psi.ArgumentList.Add(SwarmflProcess.Dll);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) psi.Environment.Remove(variable); else psi.Environment[variable] = value;
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        Starts++;
        IsKilled = false;
        AppendLog($"=== start #{Starts}: swarmfl {string.Join(' ', arguments)}");
        _process?.Dispose();
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {name}");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) AppendLog(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) AppendLog(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL, as a crash or a pulled plug would stop it: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process is not { HasExited: false } process) return;
        IsKilled = true; // before the signal: a watcher that sees the exit must already know it was the test's doing
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        AppendLog($"=== killed (SIGKILL) at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        var process = _process ?? throw new InvalidOperationException($"{name} was never started");
        using var timeout = new CancellationTokenSource(limit > TimeSpan.Zero ? limit : TimeSpan.Zero);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{name} did not exit in time\n{LogTail()}"); }
        return process.ExitCode;
    }

    public NodeStatusFile? ReadStatus()
    {
        try
        {
            return File.Exists(StatusPath) ? JsonSerializer.Deserialize<NodeStatusFile>(File.ReadAllText(StatusPath), StatusFiles.Json) : null;
        }
        catch (Exception e) when (e is IOException or JsonException) { return null; } // written atomically, but it may vanish between the check and the read
    }

    public IReadOnlyList<RoundResultFile> ReadRounds() => StatusFiles.ReadRounds(RoundsPath);

    /// <summary>While the node runs, its last line may be half-written: then this is how many rounds were complete before.</summary>
    public int CountRoundsWhileRunning() => StatusFiles.ReadWellFormedRounds(RoundsPath).Records.Count;

    public string LogTail(int lines = 40)
    {
        lock (_logGate)
            return File.Exists(logPath) ? $"--- {name} ({logPath})\n{string.Join('\n', File.ReadLines(logPath).TakeLast(lines))}" : $"--- {name}: no log";
    }

    private void AppendLog(string line)
    {
        lock (_logGate) File.AppendAllText(logPath, line + "\n");
    }

    public void Dispose()
    {
        if (_process is { HasExited: false } process) process.Kill(entireProcessTree: true);
        _process?.Dispose();
    }
}
