using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace SwarmFL.TestSupport;

/// <summary>
/// A real `npx hardhat node` on a free loopback port, started for a test class (use as an xunit class or collection fixture).
/// Hardhat's well-known account #0 holds funds; everything else must be funded by the code under test.
/// </summary>
public sealed class HardhatNode : IAsyncLifetime
{
    public const string Account0PrivateKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const long ChainId = 31337;

    private Process? _process;
    private readonly System.Text.StringBuilder _log = new();

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

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"hardhat node exited early with {_process.ExitCode}:\n{Log}");
            try
            {
                var response = await http.PostAsJsonAsync(RpcUrl, new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() });
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    if (doc.RootElement.TryGetProperty("result", out _)) return;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"hardhat node did not answer on {RpcUrl} within 90 s:\n{Log}");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        return Task.CompletedTask;
    }
}
