using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.Swarm.Adapters;

namespace SwarmFL.Node.Devnet;

/// <summary>What one part of the data reaches alone: the same start, the same total epochs, no merging. <see cref="Accuracy"/>
/// is the swarm's headline metric (accuracy for MNIST).</summary>
public sealed record BaselineResult(int Part, int Samples, int Epochs, double Accuracy, double Seconds);

/// <summary>
/// Local-only baselines: each node's partition trained alone from the genesis model for rounds × epochs epochs, evaluated on
/// the MNIST test set. The swarm is worth running when its merged model beats every one of them.
/// </summary>
public static class LocalBaselines
{
    public static IReadOnlyList<BaselineResult> Run(DevnetOptions options, string mnistDirectory, ModelWeights genesis,
        Action<string>? report = null, CancellationToken ct = default)
    {
        var spec = ModelResolver.Resolve(options.Model);
        var train = MnistDataset.Load(mnistDirectory, MnistSplit.Train);
        using var test = new TensorData(MnistDataset.Load(mnistDirectory, MnistSplit.Test));
        var parts = Partitioner.Parse(options.Partition).Split(train.Labels, options.Nodes, NodeCommandLine.PartitionSeed);
        var trainer = new LocalTrainer(spec);
        var training = new TrainingOptions
        {
            Epochs = options.Rounds * options.Epochs, BatchSize = options.Batch, LearningRate = options.LearningRate,
            Seed = options.Seed, Threads = 1,
        };
        var results = new List<BaselineResult>();
        for (var part = 0; part < parts.Length; part++)
        {
            ct.ThrowIfCancellationRequested();
            // Exactly the samples the node trains on: its part minus the held-out tenth it validates with.
            var (nodeTraining, _) = TorchLearner.SplitHeldOut(train.Subset(parts[part]));
            using var data = new TensorData(nodeTraining);
            var result = trainer.Train(genesis, data, training, ct: ct);
            var evaluation = trainer.Evaluate(result.Weights, test, ct: ct);
            var baseline = new BaselineResult(part, nodeTraining.Count, training.Epochs, evaluation.Accuracy, result.Elapsed.TotalSeconds);
            report?.Invoke($"baseline part {part}: {baseline.Samples} samples × {baseline.Epochs} epochs alone → test accuracy {baseline.Accuracy:F4} ({baseline.Seconds:F1} s)");
            results.Add(baseline);
        }
        return results;
    }

    /// <summary>The same on the user's own dataset: each part as its node selects and scales it, scored by the headline metric.</summary>
    public static IReadOnlyList<BaselineResult> Run(DevnetOptions options, UserDataset data, ModelDefinition model, ModelWeights genesis,
        Action<string>? report = null, CancellationToken ct = default)
    {
        var parts = data.Parts(options.Partition, options.Nodes, NodeCommandLine.PartitionSeed);
        using var test = new TensorData(data.Test(parts));
        var trainer = new LocalTrainer(model);
        var training = new TrainingOptions
        {
            Epochs = options.Rounds * options.Epochs, BatchSize = options.Batch, LearningRate = options.LearningRate,
            Seed = options.Seed, Threads = 1,
        };
        var results = new List<BaselineResult>();
        for (var part = 0; part < parts.Length; part++)
        {
            ct.ThrowIfCancellationRequested();
            using var train = new TensorData(data.Training(parts, part));
            var result = trainer.Train(genesis, train, training, ct: ct);
            var score = trainer.Evaluate(result.Weights, test, ct: ct).Score(data.Metric);
            var baseline = new BaselineResult(part, train.Count, training.Epochs, score, result.Elapsed.TotalSeconds);
            report?.Invoke($"baseline part {part}: {baseline.Samples} samples × {baseline.Epochs} epochs alone → test {data.Metric} {baseline.Accuracy:F4} ({baseline.Seconds:F1} s)");
            results.Add(baseline);
        }
        return results;
    }
}
