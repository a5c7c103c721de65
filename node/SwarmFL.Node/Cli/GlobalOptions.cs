using System.CommandLine;
using Serilog.Events;

namespace SwarmFL.Node.Cli;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    public static readonly Option<LogEventLevel> LogLevel = new("--log-level")
    {
        Description = "Least severe log level shown: Verbose, Debug, Information, Warning, Error, Fatal",
        DefaultValueFactory = _ => LogEventLevel.Warning,
        Recursive = true,
    };

    public static readonly Option<string?> LogFile = new("--log-file")
    {
        Description = "Also write logs to this file as JSON lines (Serilog compact format)",
        Recursive = true,
    };
}
