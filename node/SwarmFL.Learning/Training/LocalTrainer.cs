using System.Diagnostics;
using Serilog;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.Metrics;
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
public sealed class LocalTrainer
{
    /// <summary>Training samples gathered per copy from the shuffled order (~6 MB of MNIST images).</summary>
    private const int GatherSamples = 2048;

    private readonly ILogger _log;

    /// <summary>The model trained: built-in, declarative or TorchScript.</summary>
    public ModelDefinition Model { get; }

    public LocalTrainer(ModelDefinition model, ILogger? logger = null)
    {
        Model = model;
        _log = logger ?? Log.ForContext<LocalTrainer>();
    }

    public LocalTrainer(ModelSpec spec, ILogger? logger = null) : this(Models.BuiltIn.BuiltInModel.Of(spec), logger) { }

    public TrainingResult Train(ModelWeights start, TensorData data, TrainingOptions options,
        Action<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        if (data.Count == 0) throw new ArgumentException("no training samples");
        // Only on a change: setting the count can reset libtorch's worker pool and kernel caches even when it is unchanged.
        if (options.Threads > 0 && get_num_threads() != options.Threads) set_num_threads(options.Threads);
        var stopwatch = Stopwatch.StartNew();

        using var network = Model.Build();
        network.LoadWeights(start);
        network.Module.train();
        // Dropout draws from libtorch's generator: seeded per run, so the same inputs train to the same bytes.
        if (Model.UsesRandomness) random.manual_seed((long)(DeterministicRandom.Derive(options.Seed, 0xD50D) >> 1));
        var parameters = network.Parameters().ToArray();
        using var optimizer = optim.SGD(parameters, options.LearningRate, options.Momentum, 0, options.WeightDecay);
        var anchors = options.ProximalMu > 0 ? parameters.Select(p => p.detach().clone()).ToArray() : null;

        var batches = (data.Count + options.BatchSize - 1) / options.BatchSize;
        // Whole batches per gather, so a gathered chunk splits into exactly the batches a per-batch gather would make.
        var chunkSamples = options.BatchSize * Math.Max(1, GatherSamples / options.BatchSize);
        double lossSum = 0;
        long samples = 0;
        var steps = 0;
        try
        {
            for (var epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var order = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, (ulong)epoch)).Permutation(data.Count);
                using var orderTensor = tensor(order.Select(i => (long)i).ToArray());
                double epochLoss = 0;
                long epochSamples = 0;
                var b = 0;
                for (var chunkBegin = 0; chunkBegin < data.Count; chunkBegin += chunkSamples)
                {
                    // The shuffled rows of the next few batches, gathered in one copy: no shuffled copy of the whole
                    // dataset, and a batch is then a view (as in a bare loop over data already in order), not a gather.
                    var chunkSize = Math.Min(chunkSamples, data.Count - chunkBegin);
                    using var rows = orderTensor.narrow(0, chunkBegin, chunkSize);
                    using var images = data.Images.index_select(0, rows);
                    using var labels = data.Labels.index_select(0, rows);
                    for (var offset = 0; offset < chunkSize; offset += options.BatchSize, b++)
                    {
                        ct.ThrowIfCancellationRequested();
                        using var scope = NewDisposeScope();
                        var size = Math.Min(options.BatchSize, chunkSize - offset);
                        var x = images.narrow(0, offset, size);
                        var y = labels.narrow(0, offset, size);
                        optimizer.zero_grad();
                        var loss = TaskLoss.Of(data.Task, network.Forward(x), y);
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
        using var network = Model.Build();
        network.LoadWeights(weights);
        network.Module.eval();
        using var _ = no_grad();
        double lossSum = 0;
        var classification = data.Task == LearningTaskKind.Classification;
        var predicted = new List<long>(classification ? data.Count : 0);
        var positiveScores = classification && data.Classes == 2 ? new List<double>(data.Count) : null;
        var outputs = new List<float>(classification ? 0 : data.Count);
        for (var begin = 0; begin < data.Count; begin += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var size = Math.Min(batchSize, data.Count - begin);
            var x = data.Images.narrow(0, begin, size);
            var y = data.Labels.narrow(0, begin, size);
            var output = network.Forward(x);
            lossSum += TaskLoss.Of(data.Task, output, y, nn.Reduction.Sum).item<float>();
            if (classification)
            {
                predicted.AddRange(output.argmax(1).data<long>());
                if (positiveScores is not null) positiveScores.AddRange(nn.functional.softmax(output, 1).select(1, 1).to_type(ScalarType.Float64).data<double>());
            }
            else outputs.AddRange(TaskLoss.RegressionOutput(output).data<float>());
        }
        MetricScores scores;
        if (classification)
        {
            var truth = data.Labels.data<long>().Select(l => (int)l).ToArray();
            scores = MetricScores.Classification(truth, predicted.Select(p => (int)p).ToArray(), positiveScores?.ToArray());
        }
        else
        {
            var truth = data.Labels.data<float>().Select(t => (double)t).ToArray();
            scores = MetricScores.Regression(truth, outputs.Select(o => (double)o).ToArray());
        }
        var accuracy = classification ? scores[Metric.Accuracy] : double.NaN;
        return new Evaluation(accuracy, lossSum / data.Count, data.Count) { Scores = scores };
    }
}
