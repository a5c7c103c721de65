using SwarmFL.Learning.Data;
using SwarmFL.Learning.Metrics;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The learner port over SwarmFL.Learning: this node's private partition, split into what it trains on and a held-out
/// part it validates each new base model with. Training is seeded per round, so a restarted node that retrains
/// produces the same bytes.
/// </summary>
public sealed class TorchLearner : ILocalLearner, IDisposable
{
    private readonly LocalTrainer _trainer;
    private readonly TensorData _train;
    private readonly TensorData _heldOut;
    private readonly TrainingOptions _options;
    private readonly TensorLayout _layout;
    private readonly string _metric;
    private readonly SemaphoreSlim _torch = new(1, 1);

    public TorchLearner(ModelDefinition model, MnistDataset train, MnistDataset heldOut, TrainingOptions options)
        : this(model, train.ToDataset(), heldOut.ToDataset(), options) { }

    /// <summary>Any dataset, already scaled with the swarm's pinned constants; <paramref name="metric"/> is what it commits.</summary>
    public TorchLearner(ModelDefinition model, Dataset train, Dataset heldOut, TrainingOptions options, string metric = Metric.Accuracy)
    {
        if (train.Count == 0) throw new ArgumentException("this node has no training samples");
        if (heldOut.Count == 0) throw new ArgumentException("this node has no held-out samples to validate with");
        _trainer = new LocalTrainer(model);
        _train = new TensorData(train);
        _heldOut = new TensorData(heldOut);
        // One dry forward pass on the data's sample shape before any round: a model that does not fit stops the node here.
        model.DryRun(_train.Images.shape.Skip(1).Select(d => (int)d).ToArray(), _train.Images.dtype);
        _options = options;
        _layout = model.Layout;
        _metric = metric;
        TrainingSamples = (ulong)train.Count;
    }

    public ulong TrainingSamples { get; }

    /// <summary>Splits a partition deterministically: every tenth sample is held out for validation.</summary>
    public static (MnistDataset Train, MnistDataset HeldOut) SplitHeldOut(MnistDataset partition)
    {
        var indices = Enumerable.Range(0, partition.Count).ToArray();
        return (partition.Subset(indices.Where(i => i % 10 != 9).ToArray()), partition.Subset(indices.Where(i => i % 10 == 9).ToArray()));
    }

    /// <summary>The same rule for any dataset: every tenth sample is held out for validation.</summary>
    public static (Dataset Train, Dataset HeldOut) SplitHeldOut(Dataset partition)
    {
        var indices = Enumerable.Range(0, partition.Count).ToArray();
        return (partition.Subset(indices.Where(i => i % 10 != 9).ToArray()), partition.Subset(indices.Where(i => i % 10 == 9).ToArray()));
    }

    public async Task<LocalUpdate> TrainAsync(byte[] baseModel, ulong round, IProgress<double>? progress, CancellationToken ct)
    {
        var start = SafeTensors.Decode(baseModel, _layout, "base model");
        await _torch.WaitAsync(ct);
        try
        {
            var options = _options with { Seed = _options.Seed * 1_000_003 + round };
            var result = await Task.Run(() => _trainer.Train(start, _train, options, p => progress?.Report(p.Fraction), ct), ct);
            // Never commit what does not fit the pinned model (names, shapes, dtypes of every tensor).
            if (result.Weights.Layout.Difference(_layout, "the trained model", "the swarm's model") is { } misfit)
                throw new InvalidOperationException($"refusing to commit: {misfit}");
            // Scored on the held-out split (a tenth of the data), not on the training set: nine times less work on the
            // round's critical path, and a fairer number.
            var score = _trainer.Evaluate(result.Weights, _heldOut, ct: ct).Score(_metric);
            return new LocalUpdate(result.Weights.ToSafeTensors(), TrainingSamples, score);
        }
        finally
        {
            _torch.Release();
        }
    }

    public async Task<double> EvaluateAsync(byte[] model, CancellationToken ct)
    {
        var weights = SafeTensors.Decode(model, _layout, "model");
        await _torch.WaitAsync(ct);
        try
        {
            return await Task.Run(() => _trainer.Evaluate(weights, _heldOut, ct: ct).Score(_metric), ct);
        }
        finally
        {
            _torch.Release();
        }
    }

    public void Dispose()
    {
        _train.Dispose();
        _heldOut.Dispose();
    }
}
