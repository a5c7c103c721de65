using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.P2P.Tests.PubSub.Support;

/// <summary>A js-libp2p gossipsub peer (tests/interop/gossipsub/peer.mjs) in a child process.</summary>
internal sealed class JsGossipPeer : IAsyncDisposable
{
    public sealed record Received(string Type, string Topic, string From, string Data, string Seqno, string MessageIdHex, string Via);

    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly Channel<Received> _messages = Channel.CreateUnbounded<Received>();
    private readonly System.Text.StringBuilder _stderr = new();
    private readonly TaskCompletionSource<JsonNode> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;
    private int _nextId;

    private JsGossipPeer(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _reader = Task.Run(ReadLoopAsync);
    }

    public PeerId PeerId { get; private set; } = null!;
    public string Address { get; private set; } = "";
    public ChannelReader<Received> Messages => _messages.Reader;

    public static async Task<JsGossipPeer> StartAsync(string keyType)
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
        foreach (var arg in new[] { "--import", NodeScript.Polyfill, Path.Combine(RepoPaths.Interop, "gossipsub", "peer.mjs"), keyType })
            start.ArgumentList.Add(arg);
        var peer = new JsGossipPeer(Process.Start(start) ?? throw new InvalidOperationException("could not start node"));
        var ready = await peer._ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        peer.PeerId = PeerId.Parse((string)ready["peerId"]!);
        peer.Address = (string)ready["addrs"]![0]!;
        return peer;
    }

    private async Task ReadLoopAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            JsonNode? node;
            try { node = JsonNode.Parse(line); }
            catch (JsonException) { continue; }
            if (node is null) continue;
            switch ((string?)node["event"])
            {
                case "ready":
                    _ready.TrySetResult(node);
                    continue;
                case "message":
                    _messages.Writer.TryWrite(new Received((string)node["type"]!, (string)node["topic"]!, (string)node["from"]!, (string)node["data"]!,
                        (string)node["seqno"]!, (string)node["msgId"]!, (string)node["via"]!));
                    continue;
            }
            if (node["id"] is { } id && _pending.TryRemove((int)id, out var waiter)) waiter.TrySetResult(node);
        }
        var exited = new InvalidOperationException($"js gossip peer exited: {Stderr}");
        _ready.TrySetException(exited);
        foreach (var waiter in _pending.Values) waiter.TrySetException(exited);
        _messages.Writer.TryComplete();
    }

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public async Task<JsonNode> CommandAsync(string command, object? arguments = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var message = new JsonObject { ["id"] = id, ["cmd"] = command };
        if (arguments is not null)
            foreach (var (key, value) in JsonSerializer.SerializeToNode(arguments)!.AsObject()) message[key] = value?.DeepClone();
        lock (_process)
        {
            _process.StandardInput.WriteLine(message.ToJsonString());
            _process.StandardInput.Flush();
        }
        var reply = await waiter.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (!(bool)reply["ok"]!) throw new InvalidOperationException($"js peer: {command} failed: {(string?)reply["error"]}");
        return reply;
    }

    public Task DialAsync(string address) => CommandAsync("dial", new { addr = address });
    public Task SubscribeAsync(string topic) => CommandAsync("subscribe", new { topic });
    public Task PublishAsync(string topic, string data) => CommandAsync("publish", new { topic, data });

    public async Task<IReadOnlyList<string>> MeshAsync(string topic) =>
        (await CommandAsync("mesh", new { topic }))["peers"]!.AsArray().Select(p => (string)p!).ToList();

    public async Task<IReadOnlyList<string>> SubscribersAsync(string topic) =>
        (await CommandAsync("subscribers", new { topic }))["peers"]!.AsArray().Select(p => (string)p!).ToList();

    public async Task<double> ScoreAsync(PeerId peer) => (double)(await CommandAsync("score", new { peer = peer.ToString() }))["score"]!;

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        _process.Dispose();
    }
}
