using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;

namespace SwarmFL.Ring.Tests.Chord;

/// <summary>Stabilization backs off on a quiet ring and comes back to its short interval at the first change.</summary>
public sealed class StabilizeScheduleTests
{
    private static NodeRef Node() => new(NodeKey.Generate().PeerId);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(4);

    [Fact]
    public void A_quiet_neighbourhood_doubles_the_wait_up_to_the_longest_and_a_change_brings_the_shortest_back()
    {
        var schedule = new StabilizeSchedule(Short, Long);
        var predecessor = Node();
        List<NodeRef> successors = [Node(), Node()];
        Assert.Equal(Short, schedule.Interval);
        Assert.Equal(Short, schedule.After(predecessor, successors)); // first look: nothing to compare with
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.After(predecessor, successors));
        Assert.Equal(TimeSpan.FromSeconds(4), schedule.After(predecessor, successors));
        Assert.Equal(TimeSpan.FromSeconds(4), schedule.After(predecessor, successors));

        successors.Add(Node()); // a join behind the successor
        Assert.Equal(Short, schedule.After(predecessor, successors));
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.After(predecessor, successors));
        Assert.Equal(Short, schedule.After(Node(), successors)); // a new predecessor
        Assert.Equal(Short, schedule.After(null, successors)); // the predecessor failed
    }

    [Fact]
    public void A_longest_below_the_shortest_keeps_the_shortest()
    {
        var schedule = new StabilizeSchedule(Short, TimeSpan.FromMilliseconds(200));
        var predecessor = Node();
        NodeRef[] successors = [Node()];
        schedule.After(predecessor, successors);
        Assert.Equal(Short, schedule.After(predecessor, successors));
    }
}
