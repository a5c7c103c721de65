using Serilog;

namespace SwarmFL.Node.Dashboard;

/// <summary>
/// Logs a poll that keeps failing (twice a second while live) when it starts failing and then once per interval with
/// the count, and once when it works again, so it neither floods the log nor goes unseen.
/// </summary>
public sealed class FailingPollLog(ILogger log, TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _failures;
    private DateTimeOffset _lastLogged = DateTimeOffset.MinValue;

    /// <summary>Polls that failed in a row so far.</summary>
    public int Failures => _failures;

    public void Failed(Exception e)
    {
        _failures++;
        var now = _time.GetUtcNow();
        if (_failures != 1 && now - _lastLogged < interval) return;
        log.Warning(e, "Dashboard: reading the swarm's state failed ({Failures} polls in a row); the page shows the last good state", _failures);
        _lastLogged = now;
    }

    public void Succeeded()
    {
        if (_failures > 0) log.Information("Dashboard: reading the swarm's state works again after {Failures} failed polls", _failures);
        _failures = 0;
    }
}
