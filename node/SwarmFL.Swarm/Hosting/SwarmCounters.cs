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

    public void RecordDropped(string reason) => _dropped.AddOrUpdate(DropReasons.LabelOf(reason), 1, (_, n) => n + 1);
}

/// <summary>
/// A merge explains each drop in prose (the deviation filter: "…: distance D > limit L"); metrics need a closed set of
/// short names. This is the one place that maps one to the other.
/// </summary>
public static class DropReasons
{
    public const string Deviation = "deviation";
    public const string Other = "other";

    public static string LabelOf(string reason) =>
        reason.Contains("distance", StringComparison.OrdinalIgnoreCase) && reason.Contains("limit", StringComparison.OrdinalIgnoreCase) ? Deviation : Other;
}
