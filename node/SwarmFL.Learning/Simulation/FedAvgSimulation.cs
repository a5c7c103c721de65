using System.Diagnostics;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.Attacks;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;

namespace SwarmFL.Learning.Simulation;

public sealed record SimulationOptions
{
    /// <summary>The model simulated: built-in, declarative or TorchScript.</summary>
    public ModelDefinition Model { get; init; } = Models.BuiltIn.BuiltInModel.MnistCnn;

    /// <summary>A built-in spec as the model (kept for callers that name a <see cref="ModelSpec"/>).</summary>
    public ModelSpec Spec { init => Model = Models.BuiltIn.BuiltInModel.Of(value); }
    /// <summary>K in the FedAvg paper.</summary>
    public int Clients { get; init; } = 100;
    /// <summary>C in the FedAvg paper: the fraction of clients picked each round (at least one).</summary>
    public double Fraction { get; init; } = 0.1;
    public string Partition { get; init; } = "iid";
    public int Rounds { get; init; } = 20;
    /// <summary>Stop as soon as the global model reaches this test score on <see cref="Metric"/>.</summary>
    public double? TargetAccuracy { get; init; }
    /// <summary>The headline metric the target and the log use (a <see cref="Metrics.Metric"/> name).</summary>
    public string Metric { get; init; } = Metrics.Metric.Accuracy;
    public TrainingOptions Training { get; init; } = new() { Epochs = 5, BatchSize = 10, LearningRate = 0.05 };
    public IAggregationStrategy Strategy { get; init; } = new FedAvg();
    public ulong Seed { get; init; } = 1;
    /// <summary>Merge as a swarm leader does: each update validated on its own, the sample cap, then the policy's strategy
    /// (which replaces <see cref="Strategy"/>). Null: the bare strategy, as in the FedAvg paper.</summary>
    public AggregationPolicy? Policy { get; init; }
    /// <summary>Benchmark-only: a share of the clients is Byzantine (see <see cref="ByzantineAttack"/>). Merges then go
    /// through <see cref="Policy"/> (or a policy of <see cref="Strategy"/> alone), so invalid updates are dropped.</summary>
    public ByzantineAttack? Attack { get; init; }

    /// <summary>The policy merges go through, or null for the bare strategy.</summary>
    public AggregationPolicy? EffectivePolicy => Policy ?? (Attack is null ? null : new AggregationPolicy { Strategy = Strategy });

    public int ClientsPerRound => Math.Max(1, (int)Math.Round(Fraction * Clients));

    public void Validate()
    {
        if (Clients < 1) throw new ArgumentException("need at least one client");
        if (!(Fraction > 0 && Fraction <= 1)) throw new ArgumentException($"fraction must be in (0, 1], got {Fraction}");
        if (Rounds < 1) throw new ArgumentException("need at least one round");
        if (TargetAccuracy is { } t && !(t > 0 && t <= 1)) throw new ArgumentException($"target accuracy must be in (0, 1], got {t}");
        Training.Validate();
    }
}

/// <param name="Attackers">How many of the round's clients were Byzantine.</param>
/// <param name="Dropped">How many updates the policy's validation or deviation filter left out.</param>
public sealed record RoundReport(int Round, IReadOnlyList<int> Clients, Evaluation Test, double TrainLoss, ContentId ModelId, TimeSpan Elapsed,
    int Attackers = 0, int Dropped = 0);

/// <summary>Progress inside a round: which of the round's clients is training, and how far it is.</summary>
public sealed record SimulationProgress(int Round, int ClientIndex, int ClientsPerRound, TrainingProgress Training)
{
    public double RoundFraction => (ClientIndex + Training.Fraction) / ClientsPerRound;
}

public sealed record SimulationResult(IReadOnlyList<RoundReport> Rounds, ModelWeights Model, int? RoundsToTarget);

/// <summary>
/// In-process federated averaging with no network: the baseline a swarm is compared with. Each round picks
/// ⌈C·K⌉ clients by a seeded draw, trains each from the global model on its partition, merges the results with the
/// strategy (weighted by client sample counts) and evaluates the merged model on the test set.
/// </summary>
public sealed class FedAvgSimulation(ILogger? logger = null)
{
    private readonly ILogger _log = logger ?? Log.ForContext<FedAvgSimulation>();

    public SimulationResult Run(MnistDataset train, MnistDataset test, SimulationOptions options,
        Action<RoundReport>? onRound = null, Action<SimulationProgress>? progress = null, CancellationToken ct = default) =>
        Run(train.ToDataset(), test.ToDataset(), options, onRound, progress, ct);

    /// <summary>Any dataset (already scaled); the target is on <see cref="SimulationOptions.Metric"/>.</summary>
    public SimulationResult Run(Dataset train, Dataset test, SimulationOptions options,
        Action<RoundReport>? onRound = null, Action<SimulationProgress>? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        var partitions = Partitioner.Parse(options.Partition).Split(train, options.Clients, options.Seed);
        var clientData = new TensorData?[options.Clients];
        using var testData = new TensorData(test);
        var trainer = new LocalTrainer(options.Model, _log);
        var layout = options.Model.Layout;
        var global = options.Model.Initial(options.Seed);
        var policy = options.EffectivePolicy;
        var attackers = options.Attack?.PickAttackers(options.Clients, options.Seed) ?? new HashSet<int>();
        var reports = new List<RoundReport>();
        int? reached = null;
        try
        {
            for (var round = 1; round <= options.Rounds; round++)
            {
                var stopwatch = Stopwatch.StartNew();
                var picked = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, 0xC11E47, (ulong)round))
                    .Permutation(options.Clients).Take(options.ClientsPerRound).Order().ToArray();
                var updates = new List<ModelUpdate>();
                double lossSum = 0;
                long sampleSum = 0;
                var attacking = 0;
                for (var i = 0; i < picked.Length; i++)
                {
                    var client = picked[i];
                    if (partitions[client].Length == 0) continue; // a Dirichlet split can leave a client without data
                    var data = clientData[client] ??= new TensorData(train.Subset(partitions[client]));
                    var trainingOptions = options.Training with { Seed = DeterministicRandom.Derive(options.Seed, (ulong)round, (ulong)client) };
                    var index = i;
                    var result = trainer.Train(global, data, trainingOptions,
                        progress is null ? null : p => progress(new SimulationProgress(round, index, picked.Length, p)), ct);
                    if (attackers.Contains(client))
                    {
                        var (weights, claimed) = options.Attack!.Corrupt(global, result.Weights, data.Count);
                        updates.Add(ModelUpdate.InMemory(weights, claimed, $"client {client} ({options.Attack.Name})"));
                        attacking++;
                        continue; // its loss is of the honest model it did not send
                    }
                    updates.Add(ModelUpdate.InMemory(result.Weights, data.Count, $"client {client}"));
                    lossSum += result.AverageLoss * data.Count;
                    sampleSum += data.Count;
                }
                if (updates.Count == 0) throw new InvalidOperationException($"round {round}: none of the picked clients has data");
                var dropped = 0;
                if (policy is null) global = options.Strategy.Aggregate(new UpdateSet(layout, updates), ct);
                else
                {
                    var merge = MergeAsALeader(policy, layout, updates, global, ct);
                    global = merge.Model;
                    dropped = merge.Dropped.Count;
                }
                var evaluation = trainer.Evaluate(global, testData, ct: ct);
                var report = new RoundReport(round, picked, evaluation, sampleSum == 0 ? double.NaN : lossSum / sampleSum, global.ContentId(), stopwatch.Elapsed,
                    attacking, dropped);
                reports.Add(report);
                var score = evaluation.Score(options.Metric);
                _log.Information("Round {Round}: test {Metric} {Score:F4}, loss {Loss:F4}, {Seconds:F1} s",
                    round, options.Metric, score, evaluation.Loss, stopwatch.Elapsed.TotalSeconds);
                onRound?.Invoke(report);
                if (options.TargetAccuracy is { } target && score >= target)
                {
                    reached = round;
                    break;
                }
            }
        }
        finally
        {
            foreach (var d in clientData) d?.Dispose();
        }
        return new SimulationResult(reports, global, reached);
    }

    /// <summary>Each update validated on its own (a NaN is dropped, never a veto), then the policy's cap and strategy.</summary>
    private static MergeReport MergeAsALeader(AggregationPolicy policy, Models.TensorLayout layout, IReadOnlyList<ModelUpdate> updates,
        ModelWeights global, CancellationToken ct)
    {
        var validator = policy.Validator(layout, global);
        var valid = new List<ModelUpdate>();
        var dropped = new List<InputRejection>();
        foreach (var update in updates)
        {
            if (validator.CheckValues(update) is { } rejection) dropped.Add(rejection);
            else valid.Add(update);
        }
        return policy.Merge(layout, valid, dropped, global, ct);
    }
}
