using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.Attacks;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.Data.Scaling;
using SwarmFL.Learning.Metrics;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Simulation;
using SwarmFL.Learning.Training;
using SwarmFL.Node.Cli;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl train | merge | eval | simulate`: the learning engine on its own, without a swarm.</summary>
public sealed class LearningCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        yield return Train();
        yield return Merge();
        yield return Eval();
        yield return Simulate();
    }

    private static Option<string> ModelOption() => new("--model")
    {
        Description = ModelArgument.Help,
        DefaultValueFactory = _ => ModelSpec.MnistCnn.Name,
    };

    private static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "libtorch threads (0: libtorch's default)",
        DefaultValueFactory = _ => 0,
    };

    private static Option<ulong> SeedOption() => new("--seed")
    {
        Description = "Seed for the initial model, the partition and the batch order",
        DefaultValueFactory = _ => 1UL,
    };

    private static Command Train()
    {
        var model = ModelOption();
        var data = new DataOptions();
        var partition = new Option<string>("--partition") { Description = "iid, shards:K or dirichlet:α", DefaultValueFactory = _ => "iid" };
        var parts = new Option<int>("--parts") { Description = "How many parts the training set is split into", DefaultValueFactory = _ => 1 };
        var part = new Option<int>("--part") { Description = "Which part to train on (0-based)", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "Local epochs E", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Batch size B", DefaultValueFactory = _ => 10 };
        var lr = new Option<double>("--lr") { Description = "SGD learning rate", DefaultValueFactory = _ => 0.05 };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.0 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "SGD weight decay (L2)", DefaultValueFactory = _ => 0.0 };
        var mu = new Option<double>("--mu") { Description = "FedProx proximal term μ (0: off)", DefaultValueFactory = _ => 0.0 };
        var init = new Option<string?>("--init") { Description = "Start from this model file (default: the seeded initial model)" };
        var threads = ThreadsOption();
        var seed = SeedOption();
        var output = new Option<string>("--out") { Description = "Where to write the trained model (safetensors)", Required = true };
        var command = new Command("train", "Train a model on one part of a dataset (MNIST by default) and write it as a canonical safetensors file")
        {
            model, partition, parts, part, epochs, batch, lr, momentum, weightDecay, mu, init, threads, seed, output,
        };
        data.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var spec = Spec(parse.GetValue(model)!);
            var (train, test) = LoadScaled(data, parse, spec);
            var (partCount, partIndex) = (parse.GetValue(parts), parse.GetValue(part));
            if (partCount < 1 || partIndex < 0 || partIndex >= partCount)
                throw new UserFacingException($"--part must be in [0, {partCount - 1}] for --parts {partCount}");
            var seedValue = parse.GetValue(seed);
            var partitioner = Parse(() => Partitioner.Parse(parse.GetValue(partition)!), "--partition");
            var indices = Parse(() => partitioner.Split(train, partCount, seedValue), "--parts")[partIndex];
            if (indices.Length == 0) throw new UserFacingException($"part {partIndex} of the {partitioner.Name} split is empty");
            var start = parse.GetValue(init) is { } initPath ? LoadModel(initPath, spec) : spec.Initial(seedValue);
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                Momentum = parse.GetValue(momentum), WeightDecay = parse.GetValue(weightDecay), ProximalMu = parse.GetValue(mu),
                Threads = parse.GetValue(threads), Seed = seedValue,
            };
            Parse(() => { options.Validate(); return 0; }, "training options");
            var trainer = new LocalTrainer(spec);
            using var partData = new TensorData(train.Subset(indices));
            TrainingResult result = null!;
            WithProgress($"training {spec.Name} on {indices.Length} samples", update =>
                result = trainer.Train(start, partData, options, p => update(p.Fraction, $"epoch {p.Epoch}/{p.Epochs}, loss {p.AverageLoss:F4}"), ct));
            using var testData = new TensorData(test);
            var evaluation = trainer.Evaluate(result.Weights, testData, ct: ct);
            var id = SafeTensors.Write(result.Weights, parse.GetValue(output)!);
            Console.WriteLine($"trained {spec.Name} on part {partIndex}/{partCount} ({partitioner.Name}): {indices.Length} samples × {options.Epochs} epochs in {result.Elapsed.TotalSeconds:F1} s ({result.SamplesPerSecond:F0} samples/s)");
            PrintScores(evaluation);
            Console.WriteLine(id);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Merge()
    {
        var strategy = new Option<string>("--strategy") { Description = AggregationStrategies.Help, DefaultValueFactory = _ => AggregationStrategies.FedAvg };
        var model = new Option<string?>("--model") { Description = ModelArgument.Help + "; the inputs must match it (default: the tensors of the first input that reads)" };
        var baseModel = new Option<string?>("--base") { Description = "The round's base model, for --max-deviation and --norm-bound" };
        var maxDeviation = new Option<double?>("--max-deviation") { Description = "Drop inputs farther than k × the median distance from --base" };
        var normBound = new Option<double?>("--norm-bound") { Description = "Drop inputs whose distance from --base (L2) is over this" };
        var maxSamples = new Option<long?>("--max-samples") { Description = "Count each input with at most this many samples" };
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 3) when any input is invalid, instead of dropping it" };
        var output = new Option<string>("--out") { Description = "Where to write the merged model", Required = true };
        var inputs = new Argument<string[]>("inputs") { Description = "Model files with their sample counts: FILE:SAMPLES …", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge",
            "Merge model files with an aggregation strategy; prints the merged model's content id. An invalid input is dropped " +
            "(one line per input on stderr: file and reason) and the merge goes ahead with the rest")
        {
            strategy, model, baseModel, maxDeviation, normBound, maxSamples, strict, output, inputs,
        };
        command.SetAction((parse, ct) =>
        {
            var policy = Parse(() => new AggregationPolicy
            {
                Strategy = AggregationStrategies.Parse(parse.GetValue(strategy)!),
                DeviationLimit = parse.GetValue(maxDeviation) is { } k && k <= 0 ? throw new FormatException("--max-deviation must be positive") : parse.GetValue(maxDeviation),
                UpdateNormBound = parse.GetValue(normBound) is { } b && b <= 0 ? throw new FormatException("--norm-bound must be positive") : parse.GetValue(normBound),
                MaxSamples = parse.GetValue(maxSamples) is { } m && m <= 0 ? throw new FormatException("--max-samples must be positive") : parse.GetValue(maxSamples),
            }, "merge options");
            var specs = parse.GetValue(inputs)!.Select(ParseInput).ToArray();
            var layout = parse.GetValue(model) is { } name ? Spec(name).Layout : InferLayout(specs.Select(s => s.Path));
            ModelWeights? reference = null;
            if (policy.NeedsBaseModel)
                reference = LoadModel(parse.GetValue(baseModel) ?? throw new UserFacingException("--max-deviation and --norm-bound need --base"), layout);
            var validator = Guard(() => policy.Validator(layout, reference));
            var valid = new List<ModelUpdate>();
            var dropped = new List<InputRejection>();
            try
            {
                foreach (var (path, samples) in specs)
                {
                    if (validator.CheckFile(path, samples, out var update) is { } rejection) dropped.Add(rejection);
                    else valid.Add(update!);
                }
                if (parse.GetValue(strict) && dropped.Count > 0)
                    throw new UserFacingException($"--strict: {dropped.Count} invalid input(s): {string.Join("; ", dropped)}");
                var report = Guard(() => policy.Merge(layout, valid, dropped, reference, ct));
                foreach (var d in report.Dropped) Console.Error.WriteLine($"dropped {d.Input}: {InputRejection.Describe(d.Reason)}: {d.Detail}");
                var id = SafeTensors.Write(report.Model, parse.GetValue(output)!);
                Console.WriteLine(id);
            }
            finally
            {
                foreach (var u in valid) u.Dispose();
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The layout of the first input that reads: a broken input anywhere in the list must not decide it.</summary>
    private static TensorLayout InferLayout(IEnumerable<string> paths)
    {
        var problems = new List<string>();
        foreach (var path in paths)
        {
            try { return ModelFileReader.ReadLayout(path); }
            catch (ModelFileException e) { problems.Add(e.Message); }
        }
        throw new UserFacingException($"no input reads as a model file ({string.Join("; ", problems)}); name the model with --model");
    }

    private static Command Eval()
    {
        var model = ModelOption();
        var data = new DataOptions();
        var threads = ThreadsOption();
        var file = new Argument<string>("file") { Description = "The model file (safetensors)" };
        var command = new Command("eval", "Evaluate a model file on the test set (MNIST's by default; see --test-data)") { model, threads, file };
        data.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var spec = Spec(parse.GetValue(model)!);
            if (parse.GetValue(threads) is > 0 and var t) TorchSharp.torch.set_num_threads(t);
            var weights = LoadModel(parse.GetValue(file)!, spec);
            var (_, testSet) = LoadScaled(data, parse, spec);
            using var test = new TensorData(testSet);
            var evaluation = new LocalTrainer(spec).Evaluate(weights, test, ct: ct);
            PrintScores(evaluation);
            Console.WriteLine($"samples: {evaluation.Count}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Simulate()
    {
        var model = ModelOption();
        var data = new DataOptions();
        var clients = new Option<int>("--clients") { Description = "Number of clients K", DefaultValueFactory = _ => 100 };
        var fraction = new Option<double>("--fraction") { Description = "Fraction C of clients per round", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { Description = "Local epochs E", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch") { Description = "Local batch size B", DefaultValueFactory = _ => 10 };
        var lr = new Option<double>("--lr") { Description = "SGD learning rate", DefaultValueFactory = _ => 0.05 };
        var mu = new Option<double>("--mu") { Description = "FedProx proximal term μ (0: off)", DefaultValueFactory = _ => 0.0 };
        var rounds = new Option<int>("--rounds") { Description = "Maximum rounds", DefaultValueFactory = _ => 20 };
        var partition = new Option<string>("--partition") { Description = "iid, shards:K or dirichlet:α", DefaultValueFactory = _ => "iid" };
        var target = new Option<double?>("--target") { Description = "Stop when the test score on --metric reaches this (e.g. 0.99)" };
        var metric = new Option<string?>("--metric") { Description = "Headline metric: accuracy, macro-f1, roc-auc (classification) or r2 (regression; the default there)" };
        var strategy = new Option<string>("--strategy") { Description = AggregationStrategies.Help, DefaultValueFactory = _ => "fedavg" };
        var trainSamples = new Option<int>("--train-samples") { Description = "Use only the first N training images (0: all 60 000)", DefaultValueFactory = _ => 0 };
        var testSamples = new Option<int>("--test-samples") { Description = "Evaluate on the first N test images (0: all 10 000)", DefaultValueFactory = _ => 0 };
        var threads = ThreadsOption();
        var seed = SeedOption();
        var output = new Option<string?>("--out") { Description = "Write the final global model here" };
        var attack = new Option<string?>("--attack")
        {
            Description = "Benchmark only: a share of the clients is Byzantine, " + ByzantineAttack.Help + "; merges then validate each update as a swarm leader does",
        };
        var maxSamples = new Option<long?>("--max-samples") { Description = "The swarm's sample cap: count each update with at most this many samples" };
        var command = new Command("simulate", "In-process federated averaging with no network (the baseline for a swarm), on MNIST or --data")
        {
            model, clients, fraction, epochs, batch, lr, mu, rounds, partition, target, metric, strategy, trainSamples, testSamples, threads, seed, output,
            attack, maxSamples,
        };
        data.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var spec = Spec(parse.GetValue(model)!);
            var (train, test) = LoadScaled(data, parse, spec);
            var headline = Parse(() => Metric.ParseHeadline(parse.GetValue(metric) ?? Metric.DefaultHeadline(train.Task), train.Task), "--metric");
            if (parse.GetValue(trainSamples) is > 0 and var n) train = train.Take(n);
            if (parse.GetValue(testSamples) is > 0 and var m) test = test.Take(m);
            var options = new SimulationOptions
            {
                Model = spec, Clients = parse.GetValue(clients), Fraction = parse.GetValue(fraction), Partition = parse.GetValue(partition)!,
                Rounds = parse.GetValue(rounds), TargetAccuracy = parse.GetValue(target), Metric = headline, Seed = parse.GetValue(seed),
                Strategy = Parse(() => AggregationStrategies.Parse(parse.GetValue(strategy)!), "--strategy"),
                Attack = parse.GetValue(attack) is { } attackText ? Parse(() => ByzantineAttack.Parse(attackText), "--attack") : null,
                Training = new TrainingOptions
                {
                    Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                    ProximalMu = parse.GetValue(mu), Threads = parse.GetValue(threads),
                },
            };
            if (parse.GetValue(maxSamples) is { } cap)
                options = options with
                {
                    Policy = new AggregationPolicy { Strategy = options.Strategy, MaxSamples = cap > 0 ? cap : throw new UserFacingException("--max-samples must be positive") },
                };
            Parse(() => { options.Validate(); Partitioner.Parse(options.Partition); return 0; }, "simulation options");
            Console.WriteLine($"simulate {spec.Name}: K={options.Clients}, C={options.Fraction}, E={options.Training.Epochs}, B={options.Training.BatchSize}, lr={options.Training.LearningRate}, {options.Partition}, {options.Strategy.Name}, {train.Count} train / {test.Count} test samples"
                + (options.Attack is { } a ? $", attack {a} ({a.AttackerCount(options.Clients)} of {options.Clients} clients)" : "")
                + (options.Policy?.MaxSamples is { } c ? $", max-samples {c}" : ""));
            SimulationResult result = null!;
            WithProgress("simulating", update =>
                result = Parse(() => new FedAvgSimulation().Run(train, test, options,
                    r => Console.WriteLine($"round {r.Round}: {headline} {r.Test.Score(headline).ToString("F4", CultureInfo.InvariantCulture)}, loss {r.Test.Loss.ToString("F4", CultureInfo.InvariantCulture)}, train loss {r.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)}, {r.Elapsed.TotalSeconds:F1} s, {r.ModelId}"
                        + (options.EffectivePolicy is null ? "" : $", {r.Attackers} attacking, {r.Dropped} dropped")),
                    p => update(p.RoundFraction, $"round {p.Round}, client {p.ClientIndex + 1}/{p.ClientsPerRound}, epoch {p.Training.Epoch}/{p.Training.Epochs}"), ct), "simulation"));
            if (options.TargetAccuracy is { } goal)
                Console.WriteLine(result.RoundsToTarget is { } reached
                    ? $"reached {goal.ToString(CultureInfo.InvariantCulture)} in {reached} rounds"
                    : $"did not reach {goal.ToString(CultureInfo.InvariantCulture)} in {result.Rounds.Count} rounds (best {result.Rounds.Max(r => r.Test.Score(headline)).ToString("F4", CultureInfo.InvariantCulture)})");
            if (parse.GetValue(output) is { } path) Console.WriteLine($"model: {SafeTensors.Write(result.Model, path)}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>A Spectre progress bar on an interactive terminal; nothing extra (the command's own lines) when output is redirected.</summary>
    private static void WithProgress(string title, Action<Action<double, string>> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            work((_, _) => { });
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                work((fraction, text) =>
                {
                    task.Value = Math.Clamp(fraction, 0, 1);
                    task.Description = Markup.Escape($"{title}: {text}");
                });
            });
    }

    private static ModelDefinition Spec(string name) => ModelArgument.Resolve(name);

    private static (string Path, long Samples) ParseInput(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !long.TryParse(text[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var samples))
            throw new UserFacingException($"'{text}': inputs are FILE:SAMPLES, e.g. a.safetensors:600");
        return (text[..colon], samples);
    }

    private static ModelWeights LoadModel(string path, ModelDefinition model) => LoadModel(path, model.Layout);

    private static ModelWeights LoadModel(string path, TensorLayout layout) => Guard(() => SafeTensors.Load(path, layout));

    /// <summary>
    /// The training and test sets of the data flags, scaled with the constants fitted on the training set, and checked
    /// against what the model takes.
    /// </summary>
    private static (Dataset Train, Dataset Test) LoadScaled(DataOptions data, ParseResult parse, ModelDefinition model)
    {
        var source = data.Source(parse);
        var (train, test) = data.Load(parse);
        var scaling = data.FitScaling(parse, train, source.ResolvedFormat);
        ModelFit.Require(model, train);
        if (train.IsClassification) return (scaling.Apply(train), scaling.Apply(test));
        var target = TargetScaling.Fit(train);
        return (target.Apply(scaling.Apply(train)), target.Apply(scaling.Apply(test)));
    }

    /// <summary>The other scores, then the task's default headline metric and the loss as the last lines (scripts read those).</summary>
    private static void PrintScores(Evaluation evaluation)
    {
        var scores = evaluation.Scores?.Values ?? new Dictionary<string, double> { [Metric.Accuracy] = evaluation.Accuracy };
        var headline = Metric.DefaultHeadline(evaluation.Scores?.Task ?? LearningTaskKind.Classification);
        foreach (var (name, value) in scores.Where(kv => kv.Key != headline).Append(new(headline, scores[headline])))
            Console.WriteLine($"{name}: {value.ToString("F4", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"loss: {evaluation.Loss.ToString("F4", CultureInfo.InvariantCulture)}");
    }

    /// <summary>Turns the learning layer's input errors into one clear line with exit code BadInput.</summary>
    private static T Guard<T>(Func<T> action)
    {
        try { return action(); }
        catch (Exception e) when (e is ModelFileException or AggregationException or InvalidDataException or DataFileException)
        {
            throw new UserFacingException(e.Message, ExitCodes.BadInput, e);
        }
    }

    private static T Parse<T>(Func<T> action, string what)
    {
        try { return Guard(action); }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new UserFacingException($"{what}: {e.Message}", ExitCodes.BadInput, e);
        }
    }
}
