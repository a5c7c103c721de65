using System.CommandLine;

namespace SwarmFL.Node.Cli;

/// <summary>
/// A group of top-level `swarmfl` commands. Program finds every implementation by reflection, so each layer's commands
/// live in their own file under Commands/ and adding one never touches Program.cs.
/// </summary>
public interface ICommandModule
{
    IEnumerable<Command> CreateCommands();
}
