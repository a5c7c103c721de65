using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Network;
using SwarmFL.Ring.Simulation;

// simulate (default): dotnet run -c Release --project tests/SwarmFL.Ring.Sim -- [--seed S] [--sizes 100,1000,10000] [--lookups L] [--failure-nodes N] [--models M] [--out FILE]
// node: a real ring member over libp2p/TCP for the multi-process test:
//       SwarmFL.Ring.Sim node --data DIR [--listen /ip4/127.0.0.1/tcp/0] [--join ADDR] [--stabilize-ms 300] [--replicas 3]
//       writes its full address to DIR/address once it listens (and has joined), then runs until killed.
var verb = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "simulate";
var rest = verb == "simulate" && (args.Length == 0 || args[0].StartsWith("--")) ? args : args[1..];
var options = rest.Select((arg, i) => (arg, i)).Where(p => p.arg.StartsWith("--")).ToDictionary(p => p.arg, p => rest.ElementAtOrDefault(p.i + 1) ?? "");

if (verb == "node")
{
    var data = options["--data"];
    var period = TimeSpan.FromMilliseconds(int.Parse(options.GetValueOrDefault("--stabilize-ms", "300")));
    var host = await RingNodeHost.StartAsync(new RingNodeOptions
    {
        DataDirectory = data,
        Listen = options.GetValueOrDefault("--listen", "/ip4/127.0.0.1/tcp/0"),
        Join = options.GetValueOrDefault("--join"),
        Replicas = int.Parse(options.GetValueOrDefault("--replicas", "3")),
        Chord = new ChordOptions { StabilizeInterval = period, FixFingersInterval = period * 3, RpcTimeout = TimeSpan.FromSeconds(5), SuccessorListLength = 4 },
    }, Serilog.Core.Logger.None);
    var temp = Path.Combine(data, "address.tmp");
    await File.WriteAllTextAsync(temp, host.Address.ToString());
    File.Move(temp, Path.Combine(data, "address"), overwrite: true);
    Console.WriteLine(host.Address);
    await Task.Delay(Timeout.Infinite);
    return;
}

var seed = int.Parse(options.GetValueOrDefault("--seed", "2026"));
var sizes = options.GetValueOrDefault("--sizes", "100,1000,10000").Split(',').Select(int.Parse).ToArray();
var lookups = int.Parse(options.GetValueOrDefault("--lookups", "10000"));
var failureNodes = int.Parse(options.GetValueOrDefault("--failure-nodes", "1000"));
var models = int.Parse(options.GetValueOrDefault("--models", "1000"));
var output = options.GetValueOrDefault("--out", "tests/benchmarks/ring/RESULTS.md");
var command = "dotnet run -c Release --project tests/SwarmFL.Ring.Sim -- " + string.Join(' ', args);

var markdown = await new RingExperiments(seed, Console.Out).RunAllAsync(sizes, lookups, failureNodes, models, command.TrimEnd());
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, markdown);
Console.WriteLine($"wrote {output}");
