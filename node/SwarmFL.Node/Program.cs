using System.CommandLine;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.Node.Cli;

namespace SwarmFL.Node;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRootCommand();
        var parse = root.Parse(args);
        Logging.Configure(parse.GetValue(GlobalOptions.LogLevel), parse.GetValue(GlobalOptions.LogFile));
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run `swarmfl --help` (or `swarmfl COMMAND --help`) for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return ReportFailure(e);
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("SwarmFL: decentralized swarm learning over libp2p, coordinated by Ethereum contracts.");
        root.Options.Add(GlobalOptions.LogLevel);
        root.Options.Add(GlobalOptions.LogFile);
        var modules = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(ICommandModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (ICommandModule)Activator.CreateInstance(t)!);
        foreach (var module in modules)
        foreach (var command in module.CreateCommands())
            root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Turns an exception into one clear line and a meaningful exit code; only bugs get a stack trace (in the log).</summary>
    private static int ReportFailure(Exception e)
    {
        switch (e)
        {
            case OperationCanceledException:
                Console.Error.WriteLine("cancelled");
                return ExitCodes.Cancelled;
            case UserFacingException user:
                Console.Error.WriteLine($"error: {user.Message}");
                return user.ExitCode;
            case KeyFileException or FormatException or FileNotFoundException or DirectoryNotFoundException or SwarmFL.Learning.Data.DataFileException:
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            default:
                Log.Fatal(e, "Unexpected failure");
                Console.Error.WriteLine($"internal error: {e.Message} (run with --log-level Debug for details)");
                return ExitCodes.Internal;
        }
    }
}
