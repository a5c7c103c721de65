using System.Collections.Concurrent;
using System.Diagnostics;

namespace SwarmFL.Swarm.Hosting;

/// <summary>Accumulates time per activity (train, transfer, chain, aggregate) for the per-round timings.</summary>
public sealed class PhaseTimer
{
    private readonly ConcurrentDictionary<string, long> _ticks = new();

    public async Task<T> TimeAsync<T>(string activity, Func<Task<T>> work)
    {
        var stopwatch = Stopwatch.StartNew();
        try { return await work(); }
        finally { Add(activity, stopwatch.Elapsed); }
    }

    public async Task TimeAsync(string activity, Func<Task> work) => await TimeAsync(activity, async () => { await work(); return 0; });

    public T Time<T>(string activity, Func<T> work)
    {
        var stopwatch = Stopwatch.StartNew();
        try { return work(); }
        finally { Add(activity, stopwatch.Elapsed); }
    }

    private void Add(string activity, TimeSpan elapsed) => _ticks.AddOrUpdate(activity, elapsed.Ticks, (_, total) => total + elapsed.Ticks);

    /// <summary>The seconds per activity since the previous call (one round's worth), then starts counting afresh.</summary>
    public Dictionary<string, double> TakeRound()
    {
        var seconds = new Dictionary<string, double>();
        foreach (var activity in _ticks.Keys)
            if (_ticks.TryRemove(activity, out var ticks)) seconds[activity] = TimeSpan.FromTicks(ticks).TotalSeconds;
        return seconds;
    }
}
