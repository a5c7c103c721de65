using System.CommandLine;

namespace SwarmFL.Node.Tests;

public class HelpTests
{
    public static IEnumerable<object[]> EveryCommandPath()
    {
        static IEnumerable<string[]> Walk(Command command, string[] prefix)
        {
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden)) // hidden commands are internal tools for tests
            {
                var path = prefix.Append(sub.Name).ToArray();
                yield return path;
                foreach (var deeper in Walk(sub, path)) yield return deeper;
            }
        }
        return Walk(Program.BuildRootCommand(), []).Select(p => new object[] { string.Join(' ', p) });
    }

    [Theory]
    [MemberData(nameof(EveryCommandPath))]
    public void Every_command_has_help_with_a_description(string commandPath)
    {
        var root = Program.BuildRootCommand();
        var output = new StringWriter();
        var exit = root.Parse([.. commandPath.Split(' '), "--help"]).Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output.ToString());
        Assert.Contains("Description:", output.ToString());
    }
}
