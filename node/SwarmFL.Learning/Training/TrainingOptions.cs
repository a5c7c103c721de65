namespace SwarmFL.Learning.Training;

/// <summary>Local training settings: plain SGD (optionally with momentum, weight decay and a FedProx term).</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 10;
    public double LearningRate { get; init; } = 0.05;
    public double Momentum { get; init; }
    public double WeightDecay { get; init; }
    /// <summary>FedProx μ (Li et al. 2020): adds μ/2·‖w − w_start‖² to the loss; 0 is plain FedAvg local training.</summary>
    public double ProximalMu { get; init; }
    /// <summary>Seeds the batch order; with the same start weights, data and thread count, training is bit-for-bit repeatable.</summary>
    public ulong Seed { get; init; }
    /// <summary>libtorch intra-op threads; 0 leaves the process setting alone. It is process-wide.</summary>
    public int Threads { get; init; }
    /// <summary>Report progress every this many batches (and at the end of each epoch).</summary>
    public int ProgressEveryBatches { get; init; } = 20;

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be ≥ 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (Momentum < 0 || Momentum >= 1) throw new ArgumentException($"momentum must be in [0, 1), got {Momentum}");
        if (WeightDecay < 0) throw new ArgumentException($"weight decay must be ≥ 0, got {WeightDecay}");
        if (ProximalMu < 0) throw new ArgumentException($"FedProx μ must be ≥ 0, got {ProximalMu}");
        if (Threads < 0) throw new ArgumentException($"threads must be ≥ 0, got {Threads}");
        if (ProgressEveryBatches < 1) throw new ArgumentException("progress interval must be ≥ 1");
    }
}

public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch, long SamplesSeen, double AverageLoss)
{
    /// <summary>Fraction of the whole run done, 0–1.</summary>
    public double Fraction => ((Epoch - 1) * (double)BatchesPerEpoch + Batch) / (Epochs * (double)BatchesPerEpoch);
}

public sealed record TrainingResult(ModelFiles.ModelWeights Weights, long Samples, double AverageLoss, int Steps, TimeSpan Elapsed)
{
    public double SamplesPerSecond => Samples * 1.0 / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// One evaluation: the mean loss and every score of the task (<see cref="Scores"/>). <see cref="Accuracy"/> is the
/// classification accuracy, NaN for a regression task; read a swarm's headline metric with <see cref="Score"/>.
/// </summary>
public sealed record Evaluation(double Accuracy, double Loss, int Count)
{
    public Metrics.MetricScores? Scores { get; init; }

    public double Score(string metric) =>
        Scores is { } s ? s[metric] : metric == Metrics.Metric.Accuracy ? Accuracy : throw new ArgumentException($"no {metric} in this evaluation");

    public override string ToString() => Scores is { Task: Data.LearningTaskKind.Regression } s
        ? $"{s}, loss {Loss:F4} on {Count} samples"
        : $"accuracy {Accuracy:P2}, loss {Loss:F4} on {Count} samples";
}
