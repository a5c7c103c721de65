using System.Runtime.InteropServices;
using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Tests.Fakes;

/// <summary>
/// Stand-ins for the learning layer in round-protocol tests: a "model" is a little-endian float32 vector, training
/// moves it towards the node's own target, and merging is a sample-weighted mean accumulated in a fixed order.
/// </summary>
public static class Vectors
{
    public static byte[] ToBytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    public static float[] FromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}

public sealed class SharedModelStore : IModelExchange
{
    private readonly Dictionary<ContentId, byte[]> _blobs = [];
    public HashSet<ContentId> Lost { get; } = [];
    public int Count { get { lock (_blobs) return _blobs.Count; } }

    public Task<ContentId> PutAsync(ReadOnlyMemory<byte> model, CancellationToken ct)
    {
        var id = ContentId.Of(model.Span);
        // Whoever puts bytes holds them and serves them, even when their first holder was lost: content ids name bytes,
        // not owners, and a merge can equal one of its dropped inputs.
        lock (_blobs)
        {
            _blobs[id] = model.ToArray();
            Lost.Remove(id);
        }
        return Task.FromResult(id);
    }

    public Task<byte[]> GetAsync(ContentId id, CancellationToken ct)
    {
        lock (_blobs)
        {
            if (Lost.Contains(id) || !_blobs.TryGetValue(id, out var bytes)) throw new ModelUnavailableException(id, "no holder");
            return Task.FromResult(bytes);
        }
    }
}

public sealed class VectorLearner(float[] target, ulong samples) : ILocalLearner
{
    public int TrainCalls;
    public ulong TrainingSamples => samples;

    public Task<LocalUpdate> TrainAsync(byte[] baseModel, ulong round, IProgress<double>? progress, CancellationToken ct)
    {
        Interlocked.Increment(ref TrainCalls);
        var weights = Vectors.FromBytes(baseModel);
        for (var i = 0; i < weights.Length; i++) weights[i] += 0.5f * (target[i] - weights[i]);
        progress?.Report(1.0);
        return Task.FromResult(new LocalUpdate(Vectors.ToBytes(weights), samples, 0.5));
    }

    public Task<double> EvaluateAsync(byte[] model, CancellationToken ct)
    {
        var weights = Vectors.FromBytes(model);
        var distance = Math.Sqrt(weights.Select((w, i) => Math.Pow(w - target[i], 2)).Sum());
        return Task.FromResult(1.0 / (1.0 + distance));
    }
}

/// <summary>
/// The merge port's contract in miniature: each input is checked on its own (the base model's length, finite values)
/// and dropped with its reason when it fails; the rest are averaged by samples; no valid input left is a refusal.
/// </summary>
public sealed class WeightedMeanMerger : IMergeEngine
{
    public MergeResult Merge(string strategy, byte[] baseModel, IReadOnlyList<MergeInput> inputs)
    {
        var dropped = new List<DroppedInput>();
        var valid = new List<MergeInput>();
        foreach (var input in inputs)
        {
            if (input.Model.Length != baseModel.Length) dropped.Add(new DroppedInput(input.Id, RejectionReason.WrongSize, $"{input.Model.Length} bytes"));
            else if (Vectors.FromBytes(input.Model).Any(x => !float.IsFinite(x))) dropped.Add(new DroppedInput(input.Id, RejectionReason.NonFinite, "NaN or ±∞"));
            else valid.Add(input);
        }
        if (valid.Count == 0) throw new MergeRefusedException("no valid input remains");
        var ordered = valid.OrderBy(i => i.Id.ToString(), StringComparer.Ordinal).ToList();
        var length = Vectors.FromBytes(ordered[0].Model).Length;
        var sum = new double[length];
        double total = 0;
        foreach (var input in ordered)
        {
            var w = Vectors.FromBytes(input.Model);
            for (var i = 0; i < length; i++) sum[i] += w[i] * (double)input.Samples;
            total += input.Samples;
        }
        return new MergeResult(Vectors.ToBytes(sum.Select(s => (float)(s / total)).ToArray()), dropped);
    }
}

/// <summary>A member that trains honestly and then corrupts what it commits (NaN, a wrong length).</summary>
public sealed class CorruptingLearner(ILocalLearner inner, Func<float[], float[]> corrupt) : ILocalLearner
{
    public ulong TrainingSamples => inner.TrainingSamples;

    public async Task<LocalUpdate> TrainAsync(byte[] baseModel, ulong round, IProgress<double>? progress, CancellationToken ct)
    {
        var update = await inner.TrainAsync(baseModel, round, progress, ct);
        return update with { Model = Vectors.ToBytes(corrupt(Vectors.FromBytes(update.Model))) };
    }

    public Task<double> EvaluateAsync(byte[] model, CancellationToken ct) => inner.EvaluateAsync(model, ct);
}

public sealed class RecordingAnnouncer : IModelAnnouncer
{
    public List<ModelAnnouncement> Sent { get; } = [];
    public Task AnnounceAsync(ModelAnnouncement announcement, CancellationToken ct)
    {
        lock (Sent) Sent.Add(announcement);
        return Task.CompletedTask;
    }
}
