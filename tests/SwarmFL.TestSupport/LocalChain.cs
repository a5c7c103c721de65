using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace SwarmFL.TestSupport;

/// <summary>A local EVM node a test talks to over JSON-RPC: Hardhat or anvil. Both fund the same well-known account #0.</summary>
public interface ILocalChain
{
    string Name { get; }
    string RpcUrl { get; }
}

/// <summary>Waiting for a freshly started chain process to answer, shared by the Hardhat and anvil fixtures.</summary>
public static class LocalChainProcess
{
    /// <summary>Polls eth_chainId until it answers; throws with the process's log if it exits or stays silent.</summary>
    public static async Task WaitUntilAnsweringAsync(string name, string rpcUrl, Process process, Func<string> log, TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited early with {process.ExitCode}:\n{log()}");
            try
            {
                var response = await http.PostAsJsonAsync(rpcUrl, new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() });
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
        throw new TimeoutException($"{name} did not answer on {rpcUrl} within {limit.TotalSeconds:0} s:\n{log()}");
    }

    public static void Stop(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        process?.Dispose();
    }
}
