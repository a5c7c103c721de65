using System.Globalization;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Devnet;

/// <summary>One line of the live table, formatted already: the view only lays it out.</summary>
public sealed record StatusRow(string Node, string Peer, string Round, string Phase, string Role, string Cluster, string Activity,
    double? Progress, string LocalAccuracy, string BaseAccuracy, string State, string SwarmAccuracy = "-")
{
    /// <summary>What a change line is printed for (progress and accuracy ticks alone are not news).</summary>
    public string ChangeKey => $"{Round}|{Phase}|{Role}|{Cluster}|{Activity}|{State}";

    public string ToLine() =>
        $"{Node} {Peer} round {Round} {Phase} {Role} cluster {Cluster}: {Activity}{(Progress is { } p ? $" {p:P0}" : "")}" +
        $" | local {LocalAccuracy} base {BaseAccuracy} swarm {SwarmAccuracy}{(State == "running" ? "" : $" [{State}]")}";
}

/// <summary>The table model: node status files and process states in, rows out; and which rows changed since last time.</summary>
public sealed class StatusBoard
{
    private readonly Dictionary<string, string> _lastKeys = new();

    public static StatusRow Row(string node, NodeStatusFile? status, int? exitCode)
    {
        var state = exitCode switch
        {
            null when status?.Error is { } error => $"error: {error}",
            null => "running",
            0 => "exited 0",
            var code => $"exited {code}{(status?.Error is { } e ? $": {e}" : "")}",
        };
        if (status is null) return new StatusRow(node, "-", "-", "starting", "-", "-", "starting", null, "-", "-", state);
        var activity = string.IsNullOrWhiteSpace(status.Activity) ? (status.Stopped ? "stopped" : "-") : status.Activity!;
        return new StatusRow(node, ShortPeer(status.PeerId), status.Round.ToString(CultureInfo.InvariantCulture),
            status.Phase ?? "-", status.Role ?? "-", status.Cluster?.ToString(CultureInfo.InvariantCulture) ?? "-", activity,
            status.Progress is { } p ? Math.Clamp(p, 0, 1) : null, Accuracy(status.LocalAccuracy), Accuracy(status.BaseAccuracy), state,
            Accuracy(status.SwarmAccuracy));
    }

    /// <summary>The rows whose round, phase, role, cluster, activity or state differ from the previous call.</summary>
    public IReadOnlyList<StatusRow> Changes(IEnumerable<StatusRow> rows)
    {
        var changed = new List<StatusRow>();
        foreach (var row in rows)
        {
            if (_lastKeys.TryGetValue(row.Node, out var key) && key == row.ChangeKey) continue;
            _lastKeys[row.Node] = row.ChangeKey;
            changed.Add(row);
        }
        return changed;
    }

    public static string ShortPeer(string? peerId) =>
        peerId is null ? "-" : peerId.Length <= 12 ? peerId : $"…{peerId[^6..]}";

    public static string Accuracy(double? accuracy) => accuracy is { } a ? a.ToString("F4", CultureInfo.InvariantCulture) : "-";
}
