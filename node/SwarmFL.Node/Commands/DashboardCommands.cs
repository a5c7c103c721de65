using System.CommandLine;
using System.Runtime.InteropServices;
using SwarmFL.Node.Cli;
using SwarmFL.Node.Dashboard;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl dashboard RUN_DIR`: the dashboard of a finished devnet run, read from its files (docs/dashboard.md).</summary>
public sealed class DashboardCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var runDirectory = new Argument<string>("RUN_DIR") { Description = "A devnet run directory (devnet/runs/<timestamp>/)" };
        var listen = new Option<string>("--listen") { Description = "ADDR:PORT to serve on (port 0: a free one)", DefaultValueFactory = _ => "127.0.0.1:0" };
        var command = new Command("dashboard", "Serve the dashboard of a finished devnet run, read-only, until Ctrl-C") { runDirectory, listen };
        command.SetAction(async (parse, ct) =>
        {
            var run = Path.GetFullPath(parse.GetValue(runDirectory)!);
            if (!Directory.Exists(Path.Combine(run, "nodes")))
                throw new UserFacingException($"{run} is not a devnet run directory (it has no nodes/ folder); pass devnet/runs/<timestamp>/", ExitCodes.BadInput);
            var endpoint = WebEndpointOption.Parse("--listen", parse.GetValue(listen)!);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                try { stop.Cancel(); } catch (ObjectDisposedException) { }
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            await using var server = await DashboardServer.StartAsync(DashboardScope.FinishedRun(run), endpoint, "--listen", stop.Token);
            Console.WriteLine($"dashboard: {server.Url}");
            Console.WriteLine($"serving {run} read-only; Ctrl-C stops");
            try { await Task.Delay(Timeout.Infinite, stop.Token); }
            catch (OperationCanceledException) { }
            return ExitCodes.Ok;
        });
        yield return command;
    }
}
