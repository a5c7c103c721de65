using SwarmFL.Ring.Simulation;

// dotnet run -c Release --project tests/SwarmFL.Ring.Sim -- [--seed S] [--sizes 100,1000,10000] [--lookups L] [--failure-nodes N] [--models M] [--out FILE]
var options = args.Select((arg, i) => (arg, i)).Where(p => p.arg.StartsWith("--")).ToDictionary(p => p.arg, p => args.ElementAtOrDefault(p.i + 1) ?? "");
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
