using System.Diagnostics;
using System.Text.Json.Nodes;
using SwarmFL.Crypto;
using SwarmFL.Node.Cli;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests;

/// <summary>`swarmfl p2p ping|identify|listen` against a real js-libp2p peer (tests/interop/p2p/peer.mjs).</summary>
public sealed class P2PCommandTests : IAsyncLifetime
{
    private Process _js = null!;
    private string _jsAddress = "";
    private string _jsPeerId = "";
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-p2p-cli").FullName;

    public async Task InitializeAsync()
    {
        RepoPaths.RequireNodeModules();
        _js = StartProcess("node", RepoPaths.Root, "--import", NodeScript.Polyfill, Path.Combine(RepoPaths.Interop, "p2p", "peer.mjs"), "ed25519");
        var ready = JsonNode.Parse(await ReadLineAsync(_js))!;
        _jsPeerId = (string)ready["peerId"]!;
        _jsAddress = (string)ready["addrs"]![0]!;
    }

    public async Task DisposeAsync()
    {
        _js.StandardInput.Close();
        if (!_js.WaitForExit(5000)) _js.Kill(entireProcessTree: true);
        _js.Dispose();
        Directory.Delete(_dir, recursive: true);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Ping_prints_one_rtt_line_per_ping()
    {
        var result = (await SwarmflProcess.RunAsync("p2p", "ping", _jsAddress, "--count", "3")).EnsureSuccess("p2p ping");
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (var i = 0; i < 3; i++) Assert.Matches($@"^ping {i + 1}: [0-9.]+ ms from {_jsPeerId}$", lines[i]);
    }

    [Fact]
    public async Task Identify_prints_the_agent_protocols_and_listen_addresses()
    {
        var output = (await SwarmflProcess.RunAsync("p2p", "identify", _jsAddress)).EnsureSuccess("p2p identify").StdOut;
        Assert.Contains($"peer-id: {_jsPeerId}", output);
        Assert.Matches("agent-version: js-libp2p/", output);
        Assert.Contains("protocol: /ipfs/ping/1.0.0", output);
        Assert.Contains($"listen-addr: {_jsAddress[.._jsAddress.IndexOf("/p2p/", StringComparison.Ordinal)]}", output);
    }

    [Fact]
    public async Task Unreachable_and_malformed_addresses_have_clear_errors()
    {
        var refused = await SwarmflProcess.RunAsync("p2p", "ping", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}");
        Assert.Equal(ExitCodes.Unavailable, refused.ExitCode);
        Assert.Contains("could not connect", refused.StdErr);
        var malformed = await SwarmflProcess.RunAsync("p2p", "identify", "/ip4/1.2.3/tcp/1");
        Assert.Equal(ExitCodes.BadInput, malformed.ExitCode);
        Assert.Contains("not an IPv4 address", malformed.StdErr);
    }

    [Fact]
    public async Task Listen_prints_its_p2p_address_first_and_js_libp2p_can_ping_it()
    {
        var keyPath = Path.Combine(_dir, "node.key");
        using var listen = StartProcess("dotnet", RepoPaths.Root, SwarmflProcess.Dll, "p2p", "listen", "--key", keyPath, "--listen", "/ip4/127.0.0.1/tcp/0");
        try
        {
            var first = await ReadLineAsync(listen);
            var key = KeyFile.Load(keyPath);
            Assert.StartsWith("/ip4/127.0.0.1/tcp/", first);
            Assert.EndsWith($"/p2p/{key.PeerId}", first);

            await _js.StandardInput.WriteLineAsync(new JsonObject { ["id"] = 1, ["cmd"] = "ping", ["addr"] = first }.ToJsonString());
            await _js.StandardInput.FlushAsync();
            var reply = JsonNode.Parse(await ReadLineAsync(_js))!;
            Assert.True((bool)reply["ok"]!, (string?)reply["error"]);
            Assert.True((double)reply["rtt"]! >= 0);
        }
        finally
        {
            listen.Kill(entireProcessTree: true);
            await listen.WaitForExitAsync();
        }
    }

    private static Process StartProcess(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> ReadLineAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("process ended before printing a line");
    }
}
