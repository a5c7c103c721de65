using SwarmFL.Node.Devnet;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.Devnet;

public sealed class StatusBoardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-devnet-status").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static NodeStatusFile Status(ulong round, string phase, string role, double progress) =>
        new("16Uiu2HAmPEER", "0x1", Listen: null, round, phase, role, Cluster: null, Activity: "training", progress,
            LocalAccuracy: null, BaseAccuracy: null, DateTimeOffset.UnixEpoch, Stopped: false, Error: null);

    [Fact]
    public void A_status_json_as_documented_becomes_a_row()
    {
        var path = Path.Combine(_dir, "status.json");
        File.WriteAllText(path, """
            { "peerId": "16Uiu2HAmABCDEFGHIJKLMNOP", "address": "0x1", "listen": "/ip4/127.0.0.1/tcp/4101/p2p/16Uiu2HAmABCDEFGHIJKLMNOP",
              "round": 3, "phase": "Merge", "role": "Leader", "cluster": 1, "activity": "training", "progress": 0.42,
              "localAccuracy": 0.91, "baseAccuracy": 0.93, "updatedAt": "2026-11-22T20:31:00Z", "stopped": false, "error": null }
            """);
        var status = NodeFiles.ReadStatus(path);
        Assert.Equal("/ip4/127.0.0.1/tcp/4101/p2p/16Uiu2HAmABCDEFGHIJKLMNOP", status!.Listen);
        var row = StatusBoard.Row("node-0", status, exitCode: null);
        Assert.Equal(("node-0", "…KLMNOP", "3", "Merge", "Leader", "1", "training", 0.42, "0.9100", "0.9300", "running"),
            (row.Node, row.Peer, row.Round, row.Phase, row.Role, row.Cluster, row.Activity, row.Progress, row.LocalAccuracy, row.BaseAccuracy, row.State));
        Assert.Contains("round 3 Merge Leader cluster 1: training 42", row.ToLine());
    }

    [Fact]
    public void A_missing_or_half_written_status_is_a_starting_row_not_an_error()
    {
        Assert.Null(NodeFiles.ReadStatus(Path.Combine(_dir, "absent.json")));
        File.WriteAllText(Path.Combine(_dir, "torn.json"), "{ \"round\": 3, \"pha");
        Assert.Null(NodeFiles.ReadStatus(Path.Combine(_dir, "torn.json")));
        Assert.Equal("starting", StatusBoard.Row("node-1", null, null).Phase);
        Assert.Equal("exited 3", StatusBoard.Row("node-1", null, 3).State);
    }

    [Fact]
    public void Change_lines_are_printed_for_phase_or_state_changes_but_not_for_progress_ticks()
    {
        var board = new StatusBoard();
        StatusRow At(string phase, double progress, int? exit = null) =>
            StatusBoard.Row("node-0", Status(round: 1, phase, role: "Member", progress), exit);
        Assert.Single(board.Changes([At("Commit", 0.1)]));
        Assert.Empty(board.Changes([At("Commit", 0.5)]));
        Assert.Single(board.Changes([At("Merge", 0.5)]));
        Assert.Single(board.Changes([At("Merge", 0.5, exit: 0)]));
    }

    [Fact]
    public void The_live_table_renders_every_node()
    {
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        console.Profile.Width = 200;
        console.Write(LiveTableView.Render([StatusBoard.Row("node-0", Status(round: 2, "Commit", role: "-", progress: 0.5), null),
            StatusBoard.Row("node-1", null, 1)], "title"));
        Assert.Contains("node-0", output.ToString());
        Assert.Contains("node-1", output.ToString());
        Assert.Contains("50", output.ToString());
    }
}
