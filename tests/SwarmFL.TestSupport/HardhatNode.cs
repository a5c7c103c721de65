using System.Diagnostics;
using Xunit;

namespace SwarmFL.TestSupport;

/// <summary>
/// A real `npx hardhat node` on a free loopback port, started for a test class (use as an xunit class or collection fixture).
/// Hardhat's well-known account #0 holds funds; everything else must be funded by the code under test.
/// </summary>
public sealed class HardhatNode : IAsyncLifetime, ILocalChain
{
    public const string Account0PrivateKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const long ChainId = 31337;

    private Process? _process;
    private readonly System.Text.StringBuilder _log = new();

    public string Name => "hardhat";
    public int Port { get; private set; }
    public string RpcUrl => $"http://127.0.0.1:{Port}";
    public string Log { get { lock (_log) return _log.ToString(); } }

    public async Task InitializeAsync()
    {
        RepoPaths.RequireNodeModules();
        Port = FreePort.Next();
        var hardhat = Path.Combine(RepoPaths.NodeModules, ".bin", "hardhat");
        var psi = new ProcessStartInfo(hardhat)
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "node", "--hostname", "127.0.0.1", "--port", Port.ToString() }) psi.ArgumentList.Add(a);
        psi.Environment["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true";
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start hardhat node");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await LocalChainProcess.WaitUntilAnsweringAsync("hardhat node", RpcUrl, _process, () => Log, TimeSpan.FromSeconds(90));
    }

    public Task DisposeAsync()
    {
        LocalChainProcess.Stop(_process);
        return Task.CompletedTask;
    }
}
