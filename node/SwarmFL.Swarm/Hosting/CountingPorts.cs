using System.Diagnostics;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Hosting;

/// <summary>Counts the samples a local training passed through the model, and how long it took.</summary>
internal sealed class CountingLearner(ILocalLearner inner, SwarmCounters counters, int epochs) : ILocalLearner
{
    public ulong TrainingSamples => inner.TrainingSamples;

    public async Task<LocalUpdate> TrainAsync(byte[] baseModel, ulong round, IProgress<double>? progress, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var update = await inner.TrainAsync(baseModel, round, progress, ct);
        counters.RecordTraining(checked((long)update.Samples * Math.Max(1, epochs)), stopwatch.Elapsed);
        return update;
    }

    public Task<double> EvaluateAsync(byte[] model, CancellationToken ct) => inner.EvaluateAsync(model, ct);
}

/// <summary>Counts the inputs each merge dropped, by reason.</summary>
internal sealed class CountingMerger(IMergeEngine inner, SwarmCounters counters) : IMergeEngine
{
    public MergeResult Merge(string strategy, byte[] baseModel, IReadOnlyList<MergeInput> inputs)
    {
        var result = inner.Merge(strategy, baseModel, inputs);
        foreach (var drop in result.Dropped) counters.RecordDropped(drop.Reason);
        return result;
    }
}
