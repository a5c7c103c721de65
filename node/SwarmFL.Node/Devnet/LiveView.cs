using Spectre.Console;
using Spectre.Console.Rendering;

namespace SwarmFL.Node.Devnet;

/// <summary>Where the launcher shows progress: one live Spectre table on a terminal, one line per change otherwise.</summary>
public interface IRunView
{
    Task RunAsync(Func<IReadOnlyList<StatusRow>> poll, Func<bool> done, string title, CancellationToken ct);
    void Message(string text);
}

public static class RunViews
{
    public static IRunView ForConsole() =>
        Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? new LineView(Console.Out) : new LiveTableView();
}

/// <summary>Refreshes a Spectre <see cref="Table"/> twice a second.</summary>
public sealed class LiveTableView : IRunView
{
    public async Task RunAsync(Func<IReadOnlyList<StatusRow>> poll, Func<bool> done, string title, CancellationToken ct)
    {
        await AnsiConsole.Live(Render(poll(), title)).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async context =>
        {
            while (!ct.IsCancellationRequested)
            {
                context.UpdateTarget(Render(poll(), title));
                context.Refresh();
                if (done()) break;
                try { await Task.Delay(500, ct); } catch (OperationCanceledException) { break; }
            }
        });
    }

    public void Message(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));

    public static IRenderable Render(IReadOnlyList<StatusRow> rows, string title)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        foreach (var header in new[] { "node", "peer", "round", "phase", "role", "cluster", "activity", "local acc", "base acc", "swarm acc", "state" })
            table.AddColumn(new TableColumn(header).NoWrap());
        foreach (var row in rows)
        {
            var role = row.Role == "Leader" ? $"[bold yellow]{Markup.Escape(row.Role)}[/]" : Markup.Escape(row.Role);
            var state = row.State == "running" ? "[green]running[/]" : row.State == "exited 0" ? "[blue]done[/]" : $"[red]{Markup.Escape(row.State)}[/]";
            table.AddRow(Markup.Escape(row.Node), Markup.Escape(row.Peer), row.Round, Markup.Escape(row.Phase), role, row.Cluster,
                Activity(row), row.LocalAccuracy, row.BaseAccuracy, row.SwarmAccuracy, state);
        }
        return table;
    }

    private static string Activity(StatusRow row)
    {
        if (row.Progress is not { } p) return Markup.Escape(row.Activity);
        const int width = 12;
        var filled = (int)Math.Round(p * width);
        return $"{Markup.Escape(row.Activity)} [green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/] {p,4:P0}";
    }
}

/// <summary>For logs and pipes: a timestamped line whenever a node's round, phase, role, activity or state changes.</summary>
public sealed class LineView(TextWriter output) : IRunView
{
    private readonly StatusBoard _board = new();

    public async Task RunAsync(Func<IReadOnlyList<StatusRow>> poll, Func<bool> done, string title, CancellationToken ct)
    {
        Message(title);
        while (!ct.IsCancellationRequested)
        {
            foreach (var row in _board.Changes(poll())) Message(row.ToLine());
            if (done()) break;
            try { await Task.Delay(500, ct); } catch (OperationCanceledException) { break; }
        }
    }

    public void Message(string text)
    {
        lock (output) output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {text}");
    }
}
