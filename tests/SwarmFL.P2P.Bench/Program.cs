// Two-process loopback benchmark for the SwarmFL libp2p stack.
//   serve  --mode libp2p|tcp                     prints its address on stdout, then serves until stdin closes
//   client --mode libp2p|tcp --addr A --size N --runs R [--dials D] [--window BYTES] [--max-window BYTES]
//   proxy  --target A --delay-ms MS              a delaying TCP proxy in front of A; prints A with the proxy's port
//                                                (same /p2p/ suffix), then relays until stdin closes
// The sink protocol: the client streams N bytes and half-closes; the server answers with the 8-byte count it read.
// The client prints one JSON line: best/median throughput (MiB/s) over the runs and, for libp2p, the median
// dial-to-first-stream latency over D fresh connections.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;

const string SinkProtocol = "/swarmfl/bench-sink/1.0.0";
const int Chunk = 256 * 1024;

var options = ParseArgs(args.Skip(1).ToArray());
var mode = options.GetValueOrDefault("mode", "libp2p");
// Per-stream yamux receive window each side grants at the start (default: the spec's 256 KiB), and how far it may grow
// (default: YamuxOptions' 16 MiB; equal to --window for a fixed window).
var window = int.Parse(options.GetValueOrDefault("window", (256 * 1024).ToString()));
var hostOptions = new HostOptions
{
    IdentifyOnConnect = false,
    Yamux = new SwarmFL.P2P.Yamux.YamuxOptions
    {
        ReceiveWindow = window,
        MaxReceiveWindow = Math.Max(window, int.Parse(options.GetValueOrDefault("max-window", new SwarmFL.P2P.Yamux.YamuxOptions().MaxReceiveWindow.ToString()))),
    },
};
Serilog.Log.Logger = new Serilog.LoggerConfiguration().MinimumLevel.Warning().CreateLogger();

switch (args.FirstOrDefault())
{
    case "serve":
        await ServeAsync(mode, hostOptions);
        break;
    case "proxy":
    {
        var target = Multiaddr.Parse(options["target"]);
        var parts = target.Components;
        await using var proxy = new SwarmFL.P2P.Bench.DelayProxy(new IPEndPoint(parts[0].AsIPAddress(), parts[1].AsPort()),
            TimeSpan.FromMilliseconds(double.Parse(options.GetValueOrDefault("delay-ms", "25"), System.Globalization.CultureInfo.InvariantCulture)));
        var port = proxy.Start().Port;
        var text = target.ToString();
        Console.WriteLine(text.Replace($"/tcp/{parts[1].AsPort()}", $"/tcp/{port}"));
        await WaitForStdinCloseAsync();
        break;
    }
    case "client":
        await ClientAsync(mode, hostOptions, options["addr"], long.Parse(options.GetValueOrDefault("size", "268435456")),
            int.Parse(options.GetValueOrDefault("runs", "3")), int.Parse(options.GetValueOrDefault("dials", "20")));
        break;
    default:
        Console.Error.WriteLine("usage: serve --mode libp2p|tcp | client --mode libp2p|tcp --addr A --size N --runs R | proxy --target A --delay-ms MS");
        return 2;
}
return 0;

static async Task ServeAsync(string mode, HostOptions hostOptions)
{
    if (mode == "tcp")
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine($"/ip4/127.0.0.1/tcp/{((IPEndPoint)listener.LocalEndpoint).Port}");
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync();
                client.NoDelay = true;
                _ = Task.Run(async () =>
                {
                    using var _ = client;
                    var stream = client.GetStream();
                    var total = await DrainAsync(stream);
                    await stream.WriteAsync(CountBytes(total));
                    client.Client.Shutdown(SocketShutdown.Send);
                });
            }
        });
        await WaitForStdinCloseAsync();
        return;
    }
    await using var host = new Libp2pHost(NodeKey.Generate(), hostOptions);
    // The bench measures the protocol path, not the limits for outsiders (2 MiB of stream memory per connection would
    // refuse a 4 MiB window): its clients count as members. tests/benchmarks/p2p/probes.sh measures the limits.
    host.Resources.Membership = SwarmFL.P2P.Membership.PeerMemberships.Everybody;
    host.SetStreamHandler(SinkProtocol, async (stream, ct) =>
    {
        var total = await DrainAsync(stream);
        await stream.WriteAsync(CountBytes(total), ct);
        await stream.CloseWriteAsync();
    });
    Console.WriteLine(host.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")));
    await WaitForStdinCloseAsync();
}

static async Task ClientAsync(string mode, HostOptions hostOptions, string address, long size, int runs, int dials)
{
    var payload = System.Security.Cryptography.RandomNumberGenerator.GetBytes(Chunk);
    var throughputs = new List<double>();
    var dialLatencies = new List<double>();
    if (mode == "tcp")
    {
        var target = Multiaddr.Parse(address).Components;
        for (var run = 0; run < runs; run++)
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(target[0].AsIPAddress(), target[1].AsPort());
            var stream = client.GetStream();
            var started = Stopwatch.GetTimestamp();
            await SendAsync(stream, payload, size);
            client.Client.Shutdown(SocketShutdown.Send);
            var count = new byte[8];
            await stream.ReadExactlyAsync(count);
            throughputs.Add(size / Stopwatch.GetElapsedTime(started).TotalSeconds / (1 << 20));
            if (BinaryPrimitives.ReadInt64BigEndian(count) != size) throw new InvalidOperationException("server counted a different size");
        }
    }
    else
    {
        var target = Multiaddr.Parse(address);
        for (var i = 0; i < dials; i++)
        {
            await using var fresh = new Libp2pHost(NodeKey.Generate(), hostOptions);
            var started = Stopwatch.GetTimestamp();
            var peer = await fresh.DialAsync(target, default);
            await using var first = await fresh.OpenStreamAsync(peer, [SinkProtocol], default);
            dialLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        await using var host = new Libp2pHost(NodeKey.Generate(), hostOptions);
        var remote = await host.DialAsync(target, default);
        for (var run = 0; run < runs; run++)
        {
            var started = Stopwatch.GetTimestamp();
            await using var stream = await host.OpenStreamAsync(remote, [SinkProtocol], default);
            await SendAsync(stream, payload, size);
            await stream.CloseWriteAsync();
            var count = new byte[8];
            await stream.ReadExactlyAsync(count);
            throughputs.Add(size / Stopwatch.GetElapsedTime(started).TotalSeconds / (1 << 20));
            if (BinaryPrimitives.ReadInt64BigEndian(count) != size) throw new InvalidOperationException("server counted a different size");
        }
    }
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        impl = mode == "tcp" ? "raw-tcp (.NET sockets)"
            : hostOptions.Yamux.MaxReceiveWindow > hostOptions.Yamux.ReceiveWindow
                ? $"swarmfl (noise+yamux, window {hostOptions.Yamux.ReceiveWindow / 1024} KiB growing to {hostOptions.Yamux.MaxReceiveWindow / 1024} KiB)"
                : $"swarmfl (noise+yamux, fixed window {hostOptions.Yamux.ReceiveWindow / 1024} KiB)",
        size,
        runs,
        bestMiBps = Math.Round(throughputs.Max(), 1),
        medianMiBps = Math.Round(Median(throughputs), 1),
        dialToFirstStreamMedianMs = dialLatencies.Count > 0 ? Math.Round(Median(dialLatencies), 2) : (double?)null,
    }));
}

static async Task SendAsync(Stream stream, byte[] payload, long size)
{
    for (long sent = 0; sent < size; sent += payload.Length)
        await stream.WriteAsync(payload.AsMemory(0, (int)Math.Min(payload.Length, size - sent)));
}

static async Task<long> DrainAsync(Stream stream)
{
    var buffer = new byte[Chunk];
    long total = 0;
    int n;
    while ((n = await stream.ReadAsync(buffer)) > 0) total += n;
    return total;
}

static byte[] CountBytes(long total)
{
    var bytes = new byte[8];
    BinaryPrimitives.WriteInt64BigEndian(bytes, total);
    return bytes;
}

static Task WaitForStdinCloseAsync() => Task.Factory.StartNew(() =>
{
    // Console input reads block; on a dedicated thread they cannot starve the (2-core) thread pool.
    using var stdin = Console.OpenStandardInput();
    var buffer = new byte[64];
    while (stdin.Read(buffer) > 0) { }
}, TaskCreationOptions.LongRunning);

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2) result[args[i].TrimStart('-')] = args[i + 1];
    return result;
}
