using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SwarmFL.Node.Devnet;

/// <summary>A child process whose stdout and stderr go to a log file; stopping it asks politely (SIGTERM) before killing its tree.</summary>
public sealed class ManagedProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _logGate = new();

    private ManagedProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }
    private bool _disposed;
    private int? _exitCodeAtDispose;

    public bool HasExited => _disposed || _process.HasExited;
    public int? ExitCode => _disposed ? _exitCodeAtDispose : _process.HasExited ? _process.ExitCode : null;

    public static ManagedProcess Start(string name, string fileName, IEnumerable<string> args, string logFile,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        log.WriteLine($"# {DateTime.UtcNow:O} {fileName} {string.Join(' ', psi.ArgumentList)}");
        var process = new Process { StartInfo = psi };
        var managed = new ManagedProcess(name, process, log);
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"could not start {fileName}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_logGate)
        {
            try { _log.WriteLine(line); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>SIGTERM, then after the grace period SIGKILL to the whole tree. Returns once the process is gone.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited) return;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = Posix.Kill(_process.Id, Posix.SigTerm);
        else KillNow();
        using var timeout = new CancellationTokenSource(grace);
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { KillNow(); }
        await _process.WaitForExitAsync();
    }

    /// <summary>Immediate SIGKILL of the process and its descendants (also safe to call from ProcessExit).</summary>
    public void KillNow()
    {
        if (_disposed) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    public void Dispose()
    {
        if (_disposed) return;
        KillNow();
        _process.WaitForExit(5000);
        _exitCodeAtDispose = _process.HasExited ? _process.ExitCode : null;
        _disposed = true;
        lock (_logGate) _log.Dispose();
        _process.Dispose();
    }

    private static class Posix
    {
        public const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}

/// <summary>
/// Every child the launcher started. Stopping is idempotent, and a ProcessExit hook kills whatever is still running,
/// so no node or chain outlives the launcher, even when the runtime tears it down after Ctrl-C.
/// </summary>
public sealed class ProcessGroup : IAsyncDisposable
{
    private readonly List<ManagedProcess> _processes = [];
    private readonly object _gate = new();
    private readonly EventHandler _onExit;

    public ProcessGroup()
    {
        _onExit = (_, _) => KillAllNow();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    private IReadOnlyList<ManagedProcess> Processes
    {
        get { lock (_gate) return _processes.ToList(); }
    }

    public ManagedProcess Start(string name, string fileName, IEnumerable<string> args, string logFile,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = ManagedProcess.Start(name, fileName, args, logFile, workingDirectory, environment);
        lock (_gate) _processes.Add(process);
        return process;
    }

    /// <summary>Stops children newest first (nodes before the chain they talk to), each with a grace period.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        var running = Processes.AsEnumerable().Reverse().Where(p => !p.HasExited).ToList();
        await Task.WhenAll(running.Select(p => p.StopAsync(grace)));
    }

    public void KillAllNow()
    {
        foreach (var process in Processes) process.KillNow();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync(TimeSpan.FromSeconds(3));
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        foreach (var process in Processes) process.Dispose();
    }
}

/// <summary>How to run this same swarmfl as a child: the apphost directly, or `dotnet swarmfl.dll` when run through the host.</summary>
public static class SelfExecutable
{
    public static (string FileName, IReadOnlyList<string> Prefix) Resolve()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        if (Path.GetFileNameWithoutExtension(processPath) != "dotnet") return (processPath, []);
        var dll = Path.Combine(AppContext.BaseDirectory, "swarmfl.dll");
        return (processPath, [dll]);
    }
}
