using System.CommandLine;
using System.Reflection;
using SwarmFL.Node.Cli;

namespace SwarmFL.Node.Commands;

public sealed class VersionCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var version = new Command("version", "Print the swarmfl version and runtime");
        version.SetAction(_ =>
        {
            var assembly = typeof(VersionCommands).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine($"swarmfl {informational.Split('+')[0]} (.NET {Environment.Version})");
            return ExitCodes.Ok;
        });
        yield return version;
    }
}
