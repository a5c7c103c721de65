using Serilog;
using Serilog.Core;
using Serilog.Events;
using SwarmFL.Node.Dashboard;

namespace SwarmFL.Node.Tests.Dashboard;

public sealed class FailingPollLogTests
{
    private sealed class Collected : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];
        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static int FailuresIn(LogEvent e) => (int)((ScalarValue)e.Properties["Failures"]).Value!;

    [Fact]
    public void A_poll_failing_twice_a_second_logs_the_first_failure_then_one_warning_a_minute_and_one_line_when_it_recovers()
    {
        var sink = new Collected();
        var time = new ManualTime();
        var log = new FailingPollLog(new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger(), TimeSpan.FromMinutes(1), time);
        for (var i = 0; i < 300; i++) // 150 s of failures, one every 500 ms
        {
            log.Failed(new IOException("run directory gone"));
            time.Now += TimeSpan.FromMilliseconds(500);
        }
        var warnings = sink.Events.Where(e => e.Level == LogEventLevel.Warning).ToList();
        Assert.Equal([1, 121, 241], warnings.Select(FailuresIn)); // at 0 s, 60 s and 120 s, with the running count
        Assert.All(warnings, w => Assert.IsType<IOException>(w.Exception));
        Assert.Equal(300, log.Failures);

        log.Succeeded();
        log.Succeeded(); // a second good poll has nothing to report
        var recovered = Assert.Single(sink.Events, e => e.Level == LogEventLevel.Information);
        Assert.Equal(300, FailuresIn(recovered));
        Assert.Equal(0, log.Failures);

        // 30 s after the last warning: a new streak is reported at once, not when the minute is up
        log.Failed(new IOException("gone again"));
        Assert.Equal(LogEventLevel.Warning, sink.Events[^1].Level);
        Assert.Equal(1, FailuresIn(sink.Events[^1]));
        Assert.Equal(5, sink.Events.Count);
    }
}
