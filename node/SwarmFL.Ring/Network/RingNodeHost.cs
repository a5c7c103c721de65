using Serilog;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Ring.Network;

public sealed record RingNodeOptions
{
    public required string DataDirectory { get; init; }
    public string Listen { get; init; } = "/ip4/127.0.0.1/tcp/0";
    /// <summary>Any ring member's address with /p2p/…; null starts a new ring.</summary>
    public string? Join { get; init; }
    public ChordOptions Chord { get; init; } = new();
    public int Replicas { get; init; } = 3;
    /// <summary>Re-replicate every this many maintenance rounds.</summary>
    public int RepairEveryRounds { get; init; } = 3;
}

/// <summary>
/// A ring member on libp2p: host, Chord node, on-disk replicated store and the maintenance loop (stabilize,
/// check_predecessor, fix_fingers, re-replication). Its key lives in the data directory (created on first start).
/// </summary>
public sealed class RingNodeHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _log;
    private Task? _maintenance;

    private RingNodeHost(RingNodeOptions options, NodeKey key, ILogger log)
    {
        Options = options;
        _log = log;
        Key = key;
        Host = new Libp2pHost(key, new HostOptions(), log);
    }

    public RingNodeOptions Options { get; }
    public NodeKey Key { get; }
    public Libp2pHost Host { get; }
    public ChordNode Node { get; private set; } = null!;
    public ReplicatedModelStore Store { get; private set; } = null!;
    public Multiaddr Address { get; private set; } = null!;

    public static async Task<RingNodeHost> StartAsync(RingNodeOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        var log = logger ?? Log.ForContext<RingNodeHost>();
        Directory.CreateDirectory(options.DataDirectory);
        var key = KeyFile.LoadOrCreate(Path.Combine(options.DataDirectory, "node.key"));
        var host = new RingNodeHost(options, key, log);
        await host.StartAsync(ct).ConfigureAwait(false);
        return host;
    }

    private async Task StartAsync(CancellationToken ct)
    {
        Address = Host.Listen(Multiaddr.Parse(Options.Listen));
        var self = new NodeRef(Key.PeerId, Host.ListenAddresses.Select(a => a.WithoutPeerId().ToString()).ToArray());
        var transport = new Libp2pRingTransport(Host, Options.Chord.RpcTimeout, _log);
        Node = new ChordNode(self, transport, Options.Chord, _log);
        Store = new ReplicatedModelStore(Node, new DiskBlobStore(Path.Combine(Options.DataDirectory, "models"), _log), transport, Options.Replicas, _log);
        RingProtocolServer.Serve(Host, Node, Store, _log);

        if (Options.Join is { } join)
        {
            var address = Multiaddr.Parse(join);
            var peer = address.PeerId ?? throw new ArgumentException($"--join needs an address ending in /p2p/<peer id>: {join}");
            Host.PeerStore.AddAddresses(peer, [address.WithoutPeerId()]);
            var bootstrap = new NodeRef(peer, [address.WithoutPeerId().ToString()]);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await Node.JoinAsync(bootstrap, ct).ConfigureAwait(false);
                    break;
                }
                catch (LookupFailedException e) when (attempt < 10)
                {
                    // the first dial (TCP, noise, yamux) can miss the RPC deadline on a busy machine: back off and retry
                    _log.Warning("Join through {Bootstrap} failed ({Reason}); retrying", bootstrap, e.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), ct).ConfigureAwait(false);
                }
            }
        }
        _maintenance = RunMaintenanceAsync(_stopping.Token);
    }

    private async Task RunMaintenanceAsync(CancellationToken ct)
    {
        var round = 0;
        var lastFix = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Options.Chord.StabilizeInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await Node.StabilizeAsync(ct).ConfigureAwait(false);
                    await Node.CheckPredecessorAsync(ct).ConfigureAwait(false);
                    if (DateTimeOffset.UtcNow - lastFix >= Options.Chord.FixFingersInterval)
                    {
                        await Node.FixFingersAsync(ct).ConfigureAwait(false);
                        lastFix = DateTimeOffset.UtcNow;
                    }
                    if (++round % Options.RepairEveryRounds == 0) await Store.RepairAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
                catch (Exception e) { _log.Warning(e, "Ring maintenance round failed"); }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Hands models over, leaves the ring and stops.</summary>
    public async Task LeaveAsync(CancellationToken ct = default)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_maintenance is not null) await _maintenance.ConfigureAwait(false);
        await Store.LeaveAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_maintenance is not null) await _maintenance.ConfigureAwait(false);
        await Host.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
