using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.Swarm.Hosting;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Tests.Fakes;

namespace SwarmFL.Swarm.Tests;

/// <summary>rounds.jsonl: one line per ended round, each charged with its own work, none lost across a restart.</summary>
public sealed class RoundReporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-reporter").FullName;
    private readonly PhaseTimer _timer = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RoundReporter Reporter()
    {
        var self = NodeKey.Generate().Address;
        var rules = new SwarmRules(1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), 4, "fedavg", ContentId.Of([0]));
        var chain = new InMemoryChain(rules, [self], 1, TimeProvider.System);
        return new RoundReporter(_timer, new TrafficLedger(new TrafficCounters(), new RpcTrafficCounter()), () => TimeSpan.Zero, chain.For(self),
            new NodeStateStore(Path.Combine(_dir, "state.json")), new SharedModelStore(), new StatusFiles(_dir), null,
            DateTimeOffset.UtcNow, Serilog.Core.Logger.None);
    }

    private static RoundSnapshot Seen(ulong round) => new(round, RoundPhase.Commit, DateTimeOffset.UnixEpoch, 1, 0, 1, 0, null, false);

    private IReadOnlyList<RoundResultFile> Lines() => StatusFiles.ReadRounds(new StatusFiles(_dir).RoundsPath);

    private void Work(string activity) => _timer.Time(activity, () => { Thread.Sleep(5); return 0; });

    [Fact]
    public async Task A_round_is_charged_the_work_done_between_seeing_it_open_and_seeing_the_next_one()
    {
        var reporter = Reporter();
        reporter.Observe(Seen(1));
        Work("train");
        reporter.Observe(Seen(2)); // round 2's work starts only after this
        Work("aggregate");
        reporter.Observe(Seen(2));
        reporter.Observe(Seen(3));
        await reporter.DrainAsync(TimeSpan.FromSeconds(30));

        var lines = Lines();
        Assert.Equal([1UL, 2UL], lines.Select(l => l.Round));
        Assert.Contains("train", lines[0].Seconds.Keys);
        Assert.DoesNotContain("aggregate", lines[0].Seconds.Keys);
        Assert.Contains("aggregate", lines[1].Seconds.Keys);
        Assert.DoesNotContain("train", lines[1].Seconds.Keys);
        Assert.All(lines, l => Assert.True(l.Seconds["round"] > 0));
        Assert.Equal(2UL, reporter.LastClosedRound);
    }

    [Fact]
    public async Task A_restarted_node_writes_each_round_it_missed_once_marked_resumed_without_time_of_its_own()
    {
        var first = Reporter();
        first.Observe(Seen(1));
        first.Observe(Seen(2));
        first.Observe(Seen(3));
        await first.DrainAsync(TimeSpan.FromSeconds(30));

        var restarted = Reporter(); // the swarm went on to round 5 meanwhile
        restarted.Observe(Seen(5));
        Work("train");
        restarted.Observe(Seen(6));
        await restarted.DrainAsync(TimeSpan.FromSeconds(30));

        var lines = Lines();
        Assert.Equal([1UL, 2UL, 3UL, 4UL, 5UL], lines.Select(l => l.Round));
        Assert.All(lines.Where(l => l.Round is 3 or 4), l => { Assert.True(l.Resumed); Assert.Empty(l.Seconds); });
        Assert.Null(lines.Single(l => l.Round == 5).Resumed);
        Assert.Contains("train", lines.Single(l => l.Round == 5).Seconds.Keys);
    }
    [Fact]
    public async Task A_node_killed_before_its_first_line_was_written_resumes_from_the_first_round_it_worked_in()
    {
        // It validated round 1's base model (the state file says so), and died in round 2 before round 1's line was out.
        new NodeStateStore(Path.Combine(_dir, "state.json")).Put(new RoundRecord { Round = 1, BaseModel = ContentId.Of([0]).ToString(), BaseAccuracy = 0.1 });
        Assert.False(File.Exists(new StatusFiles(_dir).RoundsPath) && Lines().Count > 0);

        var restarted = Reporter();
        restarted.Observe(Seen(2));
        restarted.Observe(Seen(3));
        await restarted.DrainAsync(TimeSpan.FromSeconds(30));

        var lines = Lines();
        Assert.Equal([1UL, 2UL], lines.Select(l => l.Round));
        Assert.True(lines[0].Resumed);
        Assert.Null(lines[1].Resumed);
    }

    [Fact]
    public async Task A_new_node_without_state_starts_its_file_with_the_round_it_first_sees()
    {
        var joiner = Reporter();
        joiner.Observe(Seen(4));
        joiner.Observe(Seen(5));
        await joiner.DrainAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([4UL], Lines().Select(l => l.Round));
    }

    [Fact]
    public async Task A_restarted_node_whose_last_line_was_torn_resumes_after_its_last_whole_line()
    {
        var first = Reporter();
        first.Observe(Seen(1));
        first.Observe(Seen(2));
        first.Observe(Seen(3));
        await first.DrainAsync(TimeSpan.FromSeconds(30));
        File.AppendAllText(new StatusFiles(_dir).RoundsPath, "{\"round\": 3, \"clus"); // the crash cut round 3's line short

        var restarted = Reporter();
        restarted.Observe(Seen(4));
        restarted.Observe(Seen(5));
        await restarted.DrainAsync(TimeSpan.FromSeconds(30));

        var (records, skipped) = StatusFiles.ReadWellFormedRounds(new StatusFiles(_dir).RoundsPath);
        Assert.Equal(1, skipped);
        Assert.Equal([1UL, 2UL, 3UL, 4UL], records.Select(l => l.Round)); // nothing written twice, round 3 not lost
        Assert.True(records.Single(l => l.Round == 3).Resumed);
    }
}
