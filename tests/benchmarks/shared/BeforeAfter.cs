using System.Diagnostics;

namespace SwarmFL.Benchmarks;

/// <summary>
/// Times two implementations of one operation against each other on one thread, for the benchmarks that compare the
/// code SwarmFL ran before a change with what it runs after. Before and after take turns in 100 ms slices, so a change
/// in the machine's load (it is shared) hits both alike.
/// </summary>
public static class BeforeAfter
{
    /// <summary>Operations per second of each side; each call gets an index that cycles through <paramref name="inputs"/>.</summary>
    public static (double Before, double After) Interleaved(Action<int> before, Action<int> after, double seconds, int inputs = 1)
    {
        for (var i = 0; i < 200; i++) { before(i % inputs); after(i % inputs); } // JIT and caches
        long beforeCount = 0, afterCount = 0;
        TimeSpan beforeTime = default, afterTime = default;
        var slice = TimeSpan.FromMilliseconds(100);
        for (var turn = 0; turn < seconds * 10; turn++)
        {
            beforeTime += Slice(before, slice, inputs, ref beforeCount);
            afterTime += Slice(after, slice, inputs, ref afterCount);
        }
        return (beforeCount / beforeTime.TotalSeconds, afterCount / afterTime.TotalSeconds);
    }

    /// <summary>The 1, 5 and 15 minute load averages, for the results file's record of how busy the machine was.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // Sixteen calls between clock reads: the fastest operations take well under a microsecond.
    private static TimeSpan Slice(Action<int> operation, TimeSpan length, int inputs, ref long count)
    {
        var watch = Stopwatch.StartNew();
        do
        {
            for (var i = 0; i < 16; i++) operation((int)(count++ % inputs));
        } while (watch.Elapsed < length);
        return watch.Elapsed;
    }
}
