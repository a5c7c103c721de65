// Gossipsub messages per second through one node: publisher → relay → sink, three Libp2pHosts in one process over
// loopback TCP (noise + yamux), secp256k1 identities, StrictSign. The publisher signs every message, the relay
// verifies it before forwarding, the sink verifies it again, so each message costs one sign and two verifies.
// Usage: dotnet run -c Release --project tests/benchmarks/p2p/gossip-relay -- [MESSAGES] [PAYLOAD_BYTES]
using System.Diagnostics;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.PubSub;

var messages = args.Length > 0 ? int.Parse(args[0]) : 3000;
var size = args.Length > 1 ? int.Parse(args[1]) : 256;
const string Topic = "relay-bench";

var hosts = Enumerable.Range(0, 3).Select(_ => new Libp2pHost(new NodeKeyIdentity(NodeKey.Generate()), new HostOptions())).ToArray();
foreach (var host in hosts) host.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
var gossip = hosts.Select((h, i) => h.StartGossipSub(new GossipSubOptions { RandomSeed = i })).ToArray();
var readers = gossip.Select(g => g.Subscribe(Topic)).ToArray();
await hosts[0].DialAsync(hosts[1].ListenAddresses[0], CancellationToken.None); // publisher – relay
await hosts[1].DialAsync(hosts[2].ListenAddresses[0], CancellationToken.None); // relay – sink

var settle = Stopwatch.StartNew();
while ((await gossip[1].GetMeshPeersAsync(Topic)).Count < 2 || (await gossip[0].GetMeshPeersAsync(Topic)).Count < 1
       || (await gossip[2].GetMeshPeersAsync(Topic)).Count < 1)
{
    if (settle.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("the three-node mesh did not form in 2 minutes");
    await Task.Delay(100);
}

var received = 0;
var sinkDone = new TaskCompletionSource();
using var stop = new CancellationTokenSource();
var sink = Task.Run(async () =>
{
    try
    {
        await foreach (var _ in readers[2].ReadAllAsync(stop.Token))
            if (Interlocked.Increment(ref received) == messages) sinkDone.TrySetResult();
    }
    catch (OperationCanceledException) { }
});
var drains = readers.Take(2).Select(r => Task.Run(async () =>
{
    try { await foreach (var _ in r.ReadAllAsync(stop.Token)) { } } catch (OperationCanceledException) { }
})).ToArray();

var load = File.ReadAllText("/proc/loadavg").Split(' ').Take(3);
var watch = Stopwatch.StartNew();
for (var i = 0; i < messages; i++)
{
    var payload = new byte[size];
    BitConverter.TryWriteBytes(payload, i);
    await gossip[0].PublishAsync(Topic, payload);
    // Keep the publisher at most a few hundred messages ahead of the sink, so queues measure nothing.
    while (i - Volatile.Read(ref received) > 256) await Task.Delay(1);
}
var finished = await Task.WhenAny(sinkDone.Task, Task.Delay(TimeSpan.FromMinutes(5)));
watch.Stop();
Console.WriteLine($"{{\"messages\":{messages},\"payload\":{size},\"received\":{Volatile.Read(ref received)},\"seconds\":{watch.Elapsed.TotalSeconds:F2}," +
                  $"\"messagesPerSecond\":{Volatile.Read(ref received) / watch.Elapsed.TotalSeconds:F0},\"loadBefore\":\"{string.Join(' ', load)}\"," +
                  $"\"loadAfter\":\"{string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}\"}}");
stop.Cancel();
foreach (var g in gossip) await g.DisposeAsync();
foreach (var h in hosts) await h.DisposeAsync();
return finished == sinkDone.Task ? 0 : 1;
