using System.Diagnostics;
using Serilog;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Training;

/// <summary>
/// Trains a model on local data with mini-batch SGD, and evaluates it. Deterministic: the batch order comes from
/// <see cref="DeterministicRandom"/> seeded by <see cref="TrainingOptions.Seed"/> and the epoch, the start weights are
/// given, and libtorch's CPU kernels are deterministic for a fixed thread count.
/// </summary>
public sealed class LocalTrainer(ModelSpec spec, ILogger? logger = null)
{
    private readonly ILogger _log = logger ?? Log.ForContext<LocalTrainer>();

    public ModelSpec Spec { get; } = spec;

    public TrainingResult Train(ModelWeights start, TensorData data, TrainingOptions options,
        Action<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        if (data.Count == 0) throw new ArgumentException("no training samples");
        if (options.Threads > 0) set_num_threads(options.Threads);
        var stopwatch = Stopwatch.StartNew();

        using var network = new SpecNetwork(Spec);
        network.LoadWeights(start);
        network.train();
        var parameters = network.parameters().ToArray();
        using var optimizer = optim.SGD(parameters, options.LearningRate, options.Momentum, 0, options.WeightDecay);
        var anchors = options.ProximalMu > 0 ? parameters.Select(p => p.detach().clone()).ToArray() : null;

        var batches = (data.Count + options.BatchSize - 1) / options.BatchSize;
        double lossSum = 0;
        long samples = 0;
        var steps = 0;
        try
        {
            for (var epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var order = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, (ulong)epoch)).Permutation(data.Count);
                // Gather each batch's rows as it is needed rather than a shuffled copy of the whole dataset per epoch.
                using var orderTensor = tensor(order.Select(i => (long)i).ToArray());
                double epochLoss = 0;
                long epochSamples = 0;
                for (var b = 0; b < batches; b++)
                {
                    ct.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var begin = b * options.BatchSize;
                    var size = Math.Min(options.BatchSize, data.Count - begin);
                    var rows = orderTensor.narrow(0, begin, size);
                    var x = data.Images.index_select(0, rows);
                    var y = data.Labels.index_select(0, rows);
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(network.call(x), y);
                    loss.backward();
                    if (anchors is not null) AddProximalGradient(parameters, anchors, options.ProximalMu);
                    optimizer.step();
                    var value = loss.item<float>();
                    epochLoss += value * size;
                    epochSamples += size;
                    steps++;
                    if (progress is not null && ((b + 1) % options.ProgressEveryBatches == 0 || b == batches - 1))
                        progress(new TrainingProgress(epoch, options.Epochs, b + 1, batches, samples + epochSamples, epochLoss / epochSamples));
                }
                lossSum += epochLoss;
                samples += epochSamples;
                _log.Debug("Epoch {Epoch}/{Epochs}: loss {Loss:F4} over {Samples} samples", epoch, options.Epochs, epochLoss / epochSamples, epochSamples);
            }
        }
        finally
        {
            if (anchors is not null) foreach (var a in anchors) a.Dispose();
        }
        var weights = network.ReadWeights();
        return new TrainingResult(weights, samples, lossSum / samples, steps, stopwatch.Elapsed);
    }

    /// <summary>Gradient of μ/2·‖w − w₀‖² is μ·(w − w₀); adding it to the gradient is FedProx's proximal term.</summary>
    private static void AddProximalGradient(Parameter[] parameters, Tensor[] anchors, double mu)
    {
        using var _ = no_grad();
        for (var i = 0; i < parameters.Length; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null) continue;
            using var difference = parameters[i].detach() - anchors[i];
            grad.add_(difference, alpha: mu);
        }
    }

    public Evaluation Evaluate(ModelWeights weights, TensorData data, int batchSize = 1000, CancellationToken ct = default)
    {
        if (data.Count == 0) throw new ArgumentException("no evaluation samples");
        using var network = new SpecNetwork(Spec);
        network.LoadWeights(weights);
        network.eval();
        using var _ = no_grad();
        double lossSum = 0;
        long correct = 0;
        for (var begin = 0; begin < data.Count; begin += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var size = Math.Min(batchSize, data.Count - begin);
            var x = data.Images.narrow(0, begin, size);
            var y = data.Labels.narrow(0, begin, size);
            var logits = network.call(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        return new Evaluation(correct / (double)data.Count, lossSum / data.Count, data.Count);
    }
}
