using System.Threading.Channels;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.PubSub.Signing;

namespace SwarmFL.P2P.Tests.PubSub.Support;

/// <summary>A set of gossipsub routers on one in-memory network.</summary>
internal sealed class TestSwarm : IAsyncDisposable
{
    public InMemoryNetwork Network { get; } = new();
    public List<GossipSub> Nodes { get; } = [];
    private readonly List<IAsyncDisposable> _others = [];

    public GossipSub AddNode(GossipSubOptions options)
    {
        var key = NodeKey.Generate();
        var node = new GossipSub(Network.AddPeer(key.PeerId), new NodeKeySigner(key), options with { RandomSeed = options.RandomSeed ?? Nodes.Count });
        Nodes.Add(node);
        return node;
    }

    public List<GossipSub> AddNodes(int count, GossipSubOptions options) => Enumerable.Range(0, count).Select(_ => AddNode(options)).ToList();

    public RawPeer AddRawPeer(params string[] protocols)
    {
        var key = NodeKey.Generate();
        var raw = new RawPeer(key, Network.AddPeer(key.PeerId), protocols.Length == 0 ? [PubSubProtocols.GossipSubV11] : protocols);
        _others.Add(raw);
        return raw;
    }

    public void Connect(GossipSub a, GossipSub b) => Network.Connect(a.LocalPeerId, b.LocalPeerId);

    public void ConnectLine(IReadOnlyList<GossipSub> nodes)
    {
        for (var i = 0; i + 1 < nodes.Count; i++) Connect(nodes[i], nodes[i + 1]);
    }

    public async Task HeartbeatAllAsync()
    {
        foreach (var node in Nodes) await node.HeartbeatAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        foreach (var other in _others) await other.DisposeAsync();
    }
}

internal static class Eventually
{
    /// <summary>Polls until the condition holds. The timeout only turns a hang into a failure; it is not a measurement.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }

    public static async Task<T> ReadAsync<T>(ChannelReader<T> reader, string what, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try { return await reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException($"timed out waiting for {what}"); }
    }
}

/// <summary>A clock that moves only when told to, for backoff and TTL tests (heartbeats are driven by hand).</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
