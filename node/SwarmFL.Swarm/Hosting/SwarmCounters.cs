using System.Collections.Concurrent;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// What the node's own work did, for metrics: samples trained (and the time it took), and the inputs its merges
/// dropped, by reason. Fed by the counting port decorators; read by the metrics exporter. Thread-safe.
/// </summary>
public sealed class SwarmCounters
{
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private long _samplesTrained, _trainingTicks, _lastRateBits = BitConverter.DoubleToInt64Bits(double.NaN);

    /// <summary>Samples passed through the model (samples × epochs), over every local training.</summary>
    public long SamplesTrained => Interlocked.Read(ref _samplesTrained);
    public TimeSpan TrainingTime => TimeSpan.FromTicks(Interlocked.Read(ref _trainingTicks));
    /// <summary>Samples per second of the last local training (NaN before the first).</summary>
    public double LastSamplesPerSecond => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _lastRateBits));

    public IReadOnlyDictionary<string, long> DroppedByReason() => new Dictionary<string, long>(_dropped);

    public void RecordTraining(long samples, TimeSpan elapsed)
    {
        Interlocked.Add(ref _samplesTrained, samples);
        Interlocked.Add(ref _trainingTicks, elapsed.Ticks);
        if (elapsed > TimeSpan.Zero) Interlocked.Exchange(ref _lastRateBits, BitConverter.DoubleToInt64Bits(samples / elapsed.TotalSeconds));
    }

    public void RecordDropped(SwarmFL.Learning.Aggregation.RejectionReason reason) => _dropped.AddOrUpdate(DropReasons.LabelOf(reason), 1, (_, n) => n + 1);
}

/// <summary>Metric label values for merge drops: the stable reason codes of the merge's record, in snake_case.</summary>
public static class DropReasons
{
    public static string LabelOf(SwarmFL.Learning.Aggregation.RejectionReason reason) =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString());
}
