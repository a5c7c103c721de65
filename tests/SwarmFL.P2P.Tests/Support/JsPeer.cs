using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.TestSupport;

namespace SwarmFL.P2P.Tests.Support;

/// <summary>
/// A real js-libp2p peer (tests/interop/p2p/peer.mjs) in a child process, commanded with JSON lines on stdin.
/// </summary>
public sealed class JsPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _commandLock = new(1, 1);
    private readonly System.Text.StringBuilder _stderr;
    private int _nextId;

    private JsPeer(Process process, string peerId, Multiaddr address, string keyType, System.Text.StringBuilder stderr)
    {
        _process = process;
        _stderr = stderr;
        PeerId = SwarmFL.Crypto.PeerId.Parse(peerId);
        Address = address;
        KeyType = keyType;
    }

    public SwarmFL.Crypto.PeerId PeerId { get; }
    /// <summary>Its listen address, with /p2p/.</summary>
    public Multiaddr Address { get; }
    public string KeyType { get; }

    public static async Task<JsPeer> StartAsync(string keyType, CancellationToken ct)
    {
        RepoPaths.RequireNodeModules();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DEBUG"] = "*:error"; // js-libp2p's own error logs land in stderr, quoted when a command fails
        foreach (var arg in new[] { "--import", NodeScript.Polyfill, Path.Combine(RepoPaths.Interop, "p2p", "peer.mjs"), keyType }) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct);
        if (line is null)
        {
            await process.WaitForExitAsync(ct);
            throw new InvalidOperationException($"js peer exited: {stderr}");
        }
        var ready = JsonNode.Parse(line)!;
        var peer = new JsPeer(process, (string)ready["peerId"]!, Multiaddr.Parse((string)ready["addrs"]![0]!), keyType, stderr);
        return peer;
    }

    public async Task<JsonNode> CommandAsync(string command, Multiaddr address, CancellationToken ct, object? extra = null)
    {
        await _commandLock.WaitAsync(ct);
        try
        {
            var id = ++_nextId;
            var message = new JsonObject { ["id"] = id, ["cmd"] = command, ["addr"] = address.ToString() };
            if (extra is not null)
                foreach (var (key, value) in JsonSerializer.SerializeToNode(extra)!.AsObject()) message[key] = value?.DeepClone();
            await _process.StandardInput.WriteLineAsync(message.ToJsonString().AsMemory(), ct);
            await _process.StandardInput.FlushAsync(ct);
            while (true)
            {
                var line = await _process.StandardOutput.ReadLineAsync(ct) ?? throw new InvalidOperationException("js peer exited");
                var reply = JsonNode.Parse(line)!;
                if ((int?)reply["id"] != id) continue;
                if (!(bool)reply["ok"]!) throw new InvalidOperationException($"js peer: {command} failed: {(string?)reply["error"]}; its stderr ends with: {StderrTail()}");
                return reply;
            }
        }
        finally
        {
            _commandLock.Release();
        }
    }

    private string StderrTail()
    {
        lock (_stderr) return _stderr.Length > 2000 ? _stderr.ToString(_stderr.Length - 2000, 2000) : _stderr.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        _process.Dispose();
    }
}
