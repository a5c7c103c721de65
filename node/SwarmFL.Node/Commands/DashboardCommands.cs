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
            System.Net.IPEndPoint binding;
            try { binding = DashboardServer.ParseBinding(parse.GetValue(listen)!); }
            catch (FormatException e) { throw new UserFacingException($"--listen: {e.Message}", ExitCodes.Usage, e); }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                try { stop.Cancel(); } catch (ObjectDisposedException) { }
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            await using var server = await StartAsync(DashboardScope.FinishedRun(run), binding, stop.Token);
            Console.WriteLine($"dashboard: {server.Url}");
            Console.WriteLine($"serving {run} read-only; Ctrl-C stops");
            try { await Task.Delay(Timeout.Infinite, stop.Token); }
            catch (OperationCanceledException) { }
            return ExitCodes.Ok;
        });
        yield return command;
    }

    /// <summary>Starts a dashboard; a port already taken or an address not on this machine is the user's to fix (exit 3).</summary>
    public static async Task<DashboardServer> StartAsync(DashboardScope scope, System.Net.IPEndPoint binding, CancellationToken ct)
    {
        try { return await DashboardServer.StartAsync(scope, binding, ct); }
        catch (IOException e) { throw new UserFacingException($"the dashboard cannot listen on {binding}: {e.Message}", ExitCodes.BadInput, e); }
    }
}
