using System.Collections.Concurrent;
using Serilog;

namespace SwarmFL.P2P.Resources;

/// <summary>
/// Logs refusals once per reason per interval, with how many there were and one example source, so a peer that
/// dials a thousand times a second costs a line every interval instead of a thousand lines a second.
/// </summary>
public sealed class RefusalLog(ILogger log, TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<(RefusedKind, RefusalReason), Window> _windows = new();

    public void Note(RefusedKind kind, RefusalReason reason, string source)
    {
        var window = _windows.GetOrAdd((kind, reason), _ => new Window());
        var now = _time.GetTimestamp();
        long suppressed;
        lock (window)
        {
            window.Count++;
            if (window.LastLogged != 0 && _time.GetElapsedTime(window.LastLogged, now) < interval) return;
            suppressed = window.Count - 1;
            window.Count = 0;
            window.LastLogged = now;
        }
        if (suppressed == 0)
            log.Warning("Refused {Kind} from {Source}: {Reason}", kind, source, reason);
        else
            log.Warning("Refused {Kind} from {Source}: {Reason} (and {Suppressed} more since the last report)", kind, source, reason, suppressed);
    }

    private sealed class Window
    {
        public long Count;
        public long LastLogged;
    }
}
