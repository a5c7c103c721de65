using System.CommandLine;
using System.Reflection;
using SwarmFL.Node.Cli;

namespace SwarmFL.Node.Commands;

public sealed class VersionCommands : ICommandModule
{
    /// <summary>The build's version (the informational version without its source-revision suffix).</summary>
    public static string Version { get; } =
        (typeof(VersionCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown").Split('+')[0];

    public IEnumerable<Command> CreateCommands()
    {
        var version = new Command("version", "Print the swarmfl version and runtime");
        version.SetAction(_ =>
        {
            Console.WriteLine($"swarmfl {Version} (.NET {Environment.Version})");
            return ExitCodes.Ok;
        });
        yield return version;
    }
}
