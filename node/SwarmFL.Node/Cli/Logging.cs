using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace SwarmFL.Node.Cli;

public static class Logging
{
    /// <summary>Human-readable logs on stderr (stdout stays for command output that scripts read), plus optional JSON lines.</summary>
    public static void Configure(LogEventLevel level, string? jsonFile)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {SourceContext:l} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose);
        if (!string.IsNullOrEmpty(jsonFile))
            configuration = configuration.WriteTo.File(new CompactJsonFormatter(), jsonFile, restrictedToMinimumLevel: level);
        Log.Logger = configuration.CreateLogger();
    }
}
