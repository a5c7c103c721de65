using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SwarmFL.Node.Devnet;

/// <summary>Finds the repository (hardhat.config.js + node_modules) that the devnet runs from.</summary>
public static class Repository
{
    public static string? FindRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "hardhat.config.js")) && Directory.Exists(Path.Combine(dir.FullName, "node_modules")))
                    return dir.FullName;
        return null;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>`hardhat node` on 127.0.0.1 and a free port, started by the launcher and ready once it answers eth_chainId.</summary>
public static class HardhatChain
{
    public static async Task<(ManagedProcess Process, string RpcUrl)> StartAsync(ProcessGroup group, string repositoryRoot, string logFile,
        TimeSpan timeout, CancellationToken ct)
    {
        var hardhat = Path.Combine(repositoryRoot, "node_modules", ".bin", "hardhat");
        if (!File.Exists(hardhat)) throw new FileNotFoundException($"{hardhat} is missing: run devnet/bootstrap (npm ci) first");
        var port = Repository.FreePort();
        var process = group.Start("hardhat", hardhat, ["node", "--hostname", "127.0.0.1", "--port", port.ToString()], logFile, repositoryRoot,
            new Dictionary<string, string> { ["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true" });
        var rpcUrl = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited) throw new InvalidOperationException($"hardhat node exited with {process.ExitCode}; see {logFile}");
            if (await AnswersChainIdAsync(http, rpcUrl, ct)) return (process, rpcUrl);
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"hardhat node did not answer eth_chainId on {rpcUrl} within {timeout.TotalSeconds:F0} s; see {logFile}");
    }

    private static async Task<bool> AnswersChainIdAsync(HttpClient http, string rpcUrl, CancellationToken ct)
    {
        try
        {
            var response = await http.PostAsJsonAsync(rpcUrl, new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() }, ct);
            if (!response.IsSuccessStatusCode) return false;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return doc.RootElement.TryGetProperty("result", out _);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return false;
        }
    }
}
