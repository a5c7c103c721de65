using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Ring.Tests.Storage;

/// <summary>Re-replication looks at every blob only when the ring around the node changed or a full pass is due.</summary>
public sealed class RepairPlannerTests
{
    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static NodeRef Node() => new(NodeKey.Generate().PeerId);
    private static ContentId Blob(string label) => ContentId.Of(System.Text.Encoding.UTF8.GetBytes(label));

    private readonly Clock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly NodeRef _predecessor = Node();
    private readonly List<NodeRef> _successors = [Node(), Node(), Node()];

    private RepairPlanner.Pass PlanAndComplete(RepairPlanner planner, IReadOnlyList<ContentId> held)
    {
        var pass = planner.Plan(_predecessor, _successors, held);
        planner.Completed(pass);
        return pass;
    }

    [Fact]
    public void An_unchanged_neighbourhood_passes_over_new_blobs_only()
    {
        var planner = new RepairPlanner(TimeSpan.FromMinutes(1), _clock);
        ContentId[] held = [Blob("a"), Blob("b")];
        var first = PlanAndComplete(planner, held);
        Assert.True(first.Full);
        Assert.Equal(held, first.Blobs);

        var idle = PlanAndComplete(planner, held);
        Assert.False(idle.Full);
        Assert.Empty(idle.Blobs);

        var grown = PlanAndComplete(planner, [.. held, Blob("c")]);
        Assert.False(grown.Full);
        Assert.Equal([Blob("c")], grown.Blobs);
        Assert.Empty(PlanAndComplete(planner, [.. held, Blob("c")]).Blobs);
    }

    [Fact]
    public void A_changed_successor_or_predecessor_brings_a_full_pass()
    {
        var planner = new RepairPlanner(TimeSpan.FromMinutes(1), _clock);
        ContentId[] held = [Blob("a"), Blob("b")];
        PlanAndComplete(planner, held);

        _successors[1] = Node(); // a member joined or left among the successors
        var afterJoin = PlanAndComplete(planner, held);
        Assert.True(afterJoin.Full);
        Assert.Equal(held, afterJoin.Blobs);
        Assert.Empty(PlanAndComplete(planner, held).Blobs);

        var pass = planner.Plan(Node(), _successors, held);
        Assert.True(pass.Full);
    }

    [Fact]
    public void A_full_pass_comes_at_least_every_interval_and_an_unfinished_pass_is_planned_again()
    {
        var planner = new RepairPlanner(TimeSpan.FromMinutes(1), _clock);
        ContentId[] held = [Blob("a")];
        PlanAndComplete(planner, held);
        _clock.Now += TimeSpan.FromSeconds(59);
        Assert.False(PlanAndComplete(planner, held).Full);
        _clock.Now += TimeSpan.FromSeconds(1);
        Assert.True(PlanAndComplete(planner, held).Full);

        var cutShort = planner.Plan(_predecessor, _successors, [.. held, Blob("b")]);
        Assert.Equal([Blob("b")], cutShort.Blobs); // not completed: the next plan has it again
        Assert.Equal([Blob("b")], planner.Plan(_predecessor, _successors, [.. held, Blob("b")]).Blobs);
    }
}
