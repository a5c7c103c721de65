// Gossip fan-out latency: 10 SwarmFL nodes in one process, each on its own Libp2pHost over real loopback TCP
// (noise + yamux), joined in a random connected graph; gossipsub with the default parameters (D=6, 1 s heartbeat).
// For every message we record when each of the other 9 nodes delivered it to its subscriber.
using System.Diagnostics;
using System.Text;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.PubSub;

var outPath = args.Length > 0 ? args[0] : null;
const int Nodes = 10;
const int LinksPerNode = 3;
const string Topic = "bench";
var report = new StringBuilder();
var loadBefore = LoadAverage();
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
report.AppendLine("# Gossip fan-out latency, 10-node mesh");
report.AppendLine();
report.AppendLine("Command: `dotnet run -c Release --project tests/benchmarks/p2p/gossip -- tests/benchmarks/p2p/GOSSIP-RESULTS.md`");
report.AppendLine();
report.AppendLine($"Setup: {Nodes} SwarmFL nodes in one process, each its own `Libp2pHost` on loopback TCP (noise + yamux), " +
                  $"each dialling {LinksPerNode} random others (seeded, connected graph); gossipsub defaults (D=6, D_lo=4, D_hi=12, 1 s heartbeat, StrictSign " +
                  "signing and verification on every hop). Publishers rotate over all nodes. *Fan-out latency* = publish call until the last of the 9 " +
                  "other nodes delivered the message to its subscriber; *delivery latency* = publish until one node's delivery. " +
                  $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; " +
                  $"run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
report.AppendLine();

foreach (var (label, floodPublish) in new[] { ("flood publish (v1.1 default: own messages to all topic peers, relays via mesh)", true), ("mesh-only publish (FloodPublish = false: every hop via the mesh)", false) })
{
    report.AppendLine($"## {label}");
    report.AppendLine();
    report.AppendLine("| payload | messages | mode | fan-out p50 | fan-out p90 | fan-out p99 | fan-out max | delivery p50 | delivery p99 | lost |");
    report.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
    foreach (var size in new[] { 256, 64 * 1024 })
    {
        await using var swarm = await BenchSwarm.StartAsync(Nodes, LinksPerNode, new GossipSubOptions { FloodPublish = floodPublish });
        // Sequential: one message in flight at a time, the latency of the protocol path itself.
        var sequential = await swarm.MeasureAsync(size, count: 200, inFlight: 1);
        report.AppendLine(sequential.Row(size, "one at a time"));
        // Burst: 10 in flight, the latency under load.
        var burst = await swarm.MeasureAsync(size, count: 500, inFlight: 10);
        report.AppendLine(burst.Row(size, "10 in flight"));
        Console.WriteLine($"{label} {size} B: {sequential.Row(size, "seq")}\n{burst.Row(size, "burst")}");
    }
    report.AppendLine();
}
report.AppendLine($"Load average (1/5/15 min) before: {loadBefore}; after: {LoadAverage()} — other work shared the 2 cores during the run, so treat the figures as upper bounds.");
report.AppendLine();
report.AppendLine("Latencies include signing at the publisher and signature verification at every node on the path; all nodes share 2 cores with the benchmark driver.");
if (outPath is not null) await File.WriteAllTextAsync(outPath, report.ToString());
Console.WriteLine(report);

sealed class BenchSwarm : IAsyncDisposable
{
    private readonly List<Libp2pHost> _hosts = [];
    private readonly List<GossipSub> _gossip = [];
    private readonly List<Task> _readers = [];
    private readonly CancellationTokenSource _stop = new();
    // message number -> receive timestamps
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, List<long>> _receipts = new();

    public static async Task<BenchSwarm> StartAsync(int nodes, int linksPerNode, GossipSubOptions options)
    {
        var swarm = new BenchSwarm();
        for (var i = 0; i < nodes; i++)
        {
            var host = new Libp2pHost(new NodeKeyIdentity(NodeKey.Generate()), new HostOptions());
            host.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
            swarm._hosts.Add(host);
            var gossip = host.StartGossipSub(options with { RandomSeed = i });
            swarm._gossip.Add(gossip);
            var reader = gossip.Subscribe("bench");
            swarm._readers.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var message in reader.ReadAllAsync(swarm._stop.Token))
                    {
                        var now = Stopwatch.GetTimestamp();
                        var number = BitConverter.ToInt64(message.Data.Span);
                        var list = swarm._receipts.GetOrAdd(number, _ => []);
                        lock (list) list.Add(now);
                    }
                }
                catch (OperationCanceledException) { }
            }));
        }
        var random = new Random(42);
        for (var i = 0; i < nodes; i++)
        {
            var targets = new HashSet<int> { (i + 1) % nodes }; // a ring guarantees a connected graph
            while (targets.Count < linksPerNode) { var t = random.Next(nodes); if (t != i) targets.Add(t); }
            foreach (var t in targets)
                await swarm._hosts[i].DialAsync(swarm._hosts[t].ListenAddresses[0], CancellationToken.None);
        }
        // Wait for meshes to settle: every node meshed with at least min(D_lo, its topic peers).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var ready = true;
            foreach (var g in swarm._gossip)
            {
                var topicPeers = (await g.GetTopicPeersAsync("bench")).Count;
                var mesh = (await g.GetMeshPeersAsync("bench")).Count;
                if (topicPeers == 0 || mesh < Math.Min(options.DLow, topicPeers)) ready = false;
            }
            if (ready) break;
            await Task.Delay(100);
        }
        await Task.Delay(3000); // a few heartbeats for the meshes to stop changing
        return swarm;
    }

    private long _nextNumber;

    public async Task<Result> MeasureAsync(int size, int count, int inFlight)
    {
        var fanout = new List<double>();
        var deliveries = new List<double>();
        var lost = 0;
        var gate = new SemaphoreSlim(inFlight);
        var tasks = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            await gate.WaitAsync();
            var number = Interlocked.Increment(ref _nextNumber);
            var payload = new byte[size];
            BitConverter.TryWriteBytes(payload, number);
            var publisher = _gossip[(int)(number % _gossip.Count)];
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var sent = Stopwatch.GetTimestamp();
                    await publisher.PublishAsync("bench", payload);
                    var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
                    List<long>? times = null;
                    while (Stopwatch.GetTimestamp() < deadline)
                    {
                        if (_receipts.TryGetValue(number, out times)) lock (times) if (times.Count >= _gossip.Count - 1) break;
                        await Task.Delay(1);
                    }
                    lock (fanout)
                    {
                        if (times is null || times.Count < _gossip.Count - 1) { lost++; return; }
                        long[] copy;
                        lock (times) copy = times.ToArray();
                        fanout.Add(Stopwatch.GetElapsedTime(sent, copy.Max()).TotalMilliseconds);
                        deliveries.AddRange(copy.Select(t => Stopwatch.GetElapsedTime(sent, t).TotalMilliseconds));
                    }
                }
                finally { gate.Release(); }
            }));
        }
        await Task.WhenAll(tasks);
        return new Result(fanout, deliveries, lost, count);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var g in _gossip) await g.DisposeAsync();
        foreach (var h in _hosts) await h.DisposeAsync();
        try { await Task.WhenAll(_readers); } catch (OperationCanceledException) { }
    }
}

sealed record Result(List<double> FanOut, List<double> Deliveries, int Lost, int Count)
{
    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    public string Row(int size, string mode) =>
        $"| {(size >= 1024 ? $"{size / 1024} KiB" : $"{size} B")} | {Count} | {mode} | {Percentile(FanOut, 0.5):F2} ms | {Percentile(FanOut, 0.9):F2} ms | " +
        $"{Percentile(FanOut, 0.99):F2} ms | {FanOut.DefaultIfEmpty(double.NaN).Max():F2} ms | {Percentile(Deliveries, 0.5):F2} ms | {Percentile(Deliveries, 0.99):F2} ms | {Lost} |";
}
