using System.Text.Json;
using SwarmFL.Node.Dashboard;

namespace SwarmFL.Node.Tests.Dashboard;

public sealed class ChangeFeedTests
{
    private static SwarmSnapshot Snapshot(int rounds, int events, string activity = "training") => new()
    {
        Mode = "devnet", Metric = "accuracy", Live = true,
        Nodes = [new NodeView { Name = "node-0", Activity = activity, State = "running" }],
        Rounds = Enumerable.Range(1, rounds).Select(r => new RoundView(r, null, 0.5 + r / 100.0, "reports", 1, [], [])).ToList(),
        Ring = new RingView([], [], null),
        Events = Enumerable.Range(1, events).Select(b => new ChainEventView((ulong)b, 0, "0x", "commit", 1, 0, null, null, null, null)).ToList(),
        Traffic = [], Baselines = [],
    };

    [Fact]
    public async Task Changes_are_numbered_in_order_only_what_changed_is_sent_and_a_waiting_reader_wakes_on_the_next()
    {
        var feed = new ChangeFeed();
        feed.Publish(Snapshot(rounds: 1, events: 2));
        var first = await feed.NextAsync(0, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, first.Count).Select(i => (long)i), first.Select(c => c.Sequence));
        Assert.Equal(2, first.Count(c => c.Kind == "chain"));
        Assert.Equal(first[^1].Sequence, feed.Current!.Sequence);

        feed.Publish(Snapshot(rounds: 1, events: 2)); // nothing changed
        var after = first[^1].Sequence;
        var waiting = feed.NextAsync(after, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        feed.Publish(Snapshot(rounds: 2, events: 3, activity: "waiting for commits"));
        var next = await waiting.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(["node", "round", "chain"], next.Select(c => c.Kind));
        Assert.Equal(Enumerable.Range((int)after + 1, 3).Select(i => (long)i), next.Select(c => c.Sequence));
        Assert.Equal(2, JsonDocument.Parse(next[1].Data).RootElement.GetProperty("round").GetInt64());
        Assert.Equal(3UL, JsonDocument.Parse(next[2].Data).RootElement.GetProperty("block").GetUInt64());
    }
}
