namespace SwarmFL.Swarm.Ports;

/// <summary>The node's private data and its trainer (SwarmFL.Learning behind an adapter).</summary>
public interface ILocalLearner
{
    /// <summary>How many samples this node trains on: the weight of its updates and of its validation reports.</summary>
    ulong TrainingSamples { get; }

    /// <summary>Trains from the base model on local data; the result is a canonical model file.</summary>
    Task<LocalUpdate> TrainAsync(byte[] baseModel, ulong round, IProgress<double>? progress, CancellationToken ct);

    /// <summary>Accuracy (0…1) of a model on this node's held-out split: how members validate each new base model.</summary>
    Task<double> EvaluateAsync(byte[] model, CancellationToken ct);
}

/// <summary>A trained model file, the samples it was trained on, and its accuracy on the node's held-out split.</summary>
public sealed record LocalUpdate(byte[] Model, ulong Samples, double HeldOutAccuracy);
