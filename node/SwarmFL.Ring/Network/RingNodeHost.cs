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
    /// <summary>Re-replicate every this many maintenance rounds (only what may need it; see <see cref="RepairPlanner"/>).</summary>
    public int RepairEveryRounds { get; init; } = 3;
    /// <summary>The longest time between two re-replication passes over every held blob.</summary>
    public TimeSpan FullRepairInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// Who may use the ring and its store: Chord and /swarmfl/ring-store are served to members only, and the ring
    /// holds members only. A standalone ring (no swarm) lets everybody in; a swarm node passes its chain's member set.
    /// </summary>
    public SwarmFL.P2P.Membership.IPeerMembership Membership { get; init; } = SwarmFL.P2P.Membership.PeerMemberships.Everybody;
    /// <summary>Network resource limits of the ring's host.</summary>
    public SwarmFL.P2P.Resources.ResourceLimits Limits { get; init; } = new();
    /// <summary>
    /// Runs once the host listens and before it joins the ring, with the address it listens on: a swarm node
    /// registers on chain here, so that the members it joins through already count it as one of them.
    /// </summary>
    public Func<Multiaddr, CancellationToken, Task>? BeforeJoin { get; init; }
}

/// <summary>
/// A ring member on libp2p: host, Chord node, on-disk replicated store and the maintenance loop (stabilize,
/// check_predecessor, fix_fingers, re-replication). Its key lives in the data directory (created on first start).
/// </summary>
public sealed class RingNodeHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _log;
    private readonly KnownPeersFile _knownPeers;
    private Task? _maintenance;

    private RingNodeHost(RingNodeOptions options, NodeKey key, ILogger log)
    {
        Options = options;
        _log = log;
        Key = key;
        Host = new Libp2pHost(key, new HostOptions { Limits = options.Limits }, log);
        Host.Resources.Membership = options.Membership;
        _knownPeers = new KnownPeersFile(Path.Combine(options.DataDirectory, "ring-peers.json"));
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
        Node = new ChordNode(self, transport, Options.Chord, _log) { Membership = Options.Membership };
        Store = new ReplicatedModelStore(Node, new DiskBlobStore(Path.Combine(Options.DataDirectory, "models"), _log), transport, Options.Replicas, _log)
        {
            Resources = Host.Resources,
        };
        RingProtocolServer.Serve(Host, Node, Store, _log);
        if (Options.BeforeJoin is { } beforeJoin) await beforeJoin(Address, ct).ConfigureAwait(false);

        // A data directory that remembers ring peers has been in a ring: this is a restart of that member.
        var restarting = File.Exists(_knownPeers.Path);
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
                    await Node.JoinAsync(bootstrap, ct, replacingPreviousRun: restarting).ConfigureAwait(false);
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
        else await RejoinThroughKnownPeersAsync(ct).ConfigureAwait(false);
        _maintenance = RunMaintenanceAsync(_stopping.Token);
    }

    /// <summary>Without a peer to join through, a restarted node goes back to the ring it was in, if any member it last knew answers.</summary>
    private async Task RejoinThroughKnownPeersAsync(CancellationToken ct)
    {
        var known = _knownPeers.Load().Where(p => p != Node.Self).ToList();
        // A few passes: just after a crash the members may still route lookups through this node's previous run, and
        // the first dials can miss the RPC deadline on a busy machine. Starting a ring alone would split the swarm.
        for (var pass = 1; known.Count > 0 && pass <= RejoinPasses; pass++)
        {
            foreach (var peer in known)
            {
                try
                {
                    await Node.JoinAsync(peer, ct, replacingPreviousRun: true).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is LookupFailedException or PeerUnreachableException or InvalidAnswerException or InvalidOperationException)
                {
                    _log.Information("Could not rejoin the ring through {Peer}, a member this node last knew (pass {Pass}/{Passes}): {Reason}",
                        peer, pass, RejoinPasses, e.Message);
                }
            }
            if (pass < RejoinPasses) await Task.Delay(TimeSpan.FromMilliseconds(500 * pass), ct).ConfigureAwait(false);
        }
        _log.Information("Starting a new ring");
    }

    private const int RejoinPasses = 4;

    private async Task RunMaintenanceAsync(CancellationToken ct)
    {
        var round = 0;
        var lastFix = DateTimeOffset.MinValue;
        var repairs = new RepairPlanner(Options.FullRepairInterval);
        var schedule = new StabilizeSchedule(Options.Chord.StabilizeInterval, Options.Chord.LongestStabilizeInterval);
        try
        {
            for (var wait = schedule.Interval; ; wait = schedule.After(Node.Predecessor, Node.Successors))
            {
                await Task.Delay(wait, ct).ConfigureAwait(false);
                try
                {
                    await Node.StabilizeAsync(ct).ConfigureAwait(false);
                    await Node.CheckPredecessorAsync(ct).ConfigureAwait(false);
                    if (DateTimeOffset.UtcNow - lastFix >= Options.Chord.FixFingersInterval)
                    {
                        await Node.FixFingersAsync(ct).ConfigureAwait(false);
                        lastFix = DateTimeOffset.UtcNow;
                    }
                    if (++round % Options.RepairEveryRounds == 0)
                    {
                        var pass = repairs.Plan(Node.Predecessor, Node.Successors, Store.Held());
                        await Store.RepairAsync(pass.Blobs, ct).ConfigureAwait(false);
                        repairs.Completed(pass);
                    }
                    _knownPeers.Save(Node.Successors.Prepend(Node.Predecessor).OfType<NodeRef>().Where(p => p != Node.Self));
                }
                // Stopping: a call cut short by the shutdown fails however it fails, and none of it is news.
                catch (Exception) when (ct.IsCancellationRequested) { return; }
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
