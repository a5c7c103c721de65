using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Simulation;

namespace SwarmFL.Ring.Tests.Chord;

public class ChordRingTests
{
    private static async Task AssertLookupsCorrect(SimulatedRing ring, int count)
    {
        var live = ring.SortedLive();
        for (var i = 0; i < count; i++)
        {
            var key = ring.RandomKey();
            var from = live[ring.Random.Next(live.Count)];
            var result = await from.Chord.FindSuccessorAsync(key);
            Assert.Equal(ring.TrueOwner(key).Self, result.Owner);
        }
    }

    [Fact]
    public async Task A_lone_node_owns_every_key()
    {
        var ring = new SimulatedRing(1, new ChordOptions());
        var node = ring.Bootstrap();
        var result = await node.Chord.FindSuccessorAsync(ring.RandomKey());
        Assert.Equal(node.Self, result.Owner);
        Assert.Equal(0, result.Hops);
        await node.Chord.StabilizeAsync();
        Assert.True(ring.IsCorrect(out var problem), problem);
    }

    [Fact]
    public async Task Two_nodes_link_up_through_join_notify_and_stabilize()
    {
        var ring = new SimulatedRing(2, new ChordOptions());
        var first = ring.Bootstrap();
        var second = await ring.JoinNewNodeAsync(first);
        Assert.Equal(first.Self, second.Chord.Successor);
        Assert.Null(second.Chord.Predecessor); // Zave: the joiner learns its predecessor only from a notify
        Assert.True(await ring.StabilizeUntilCorrectAsync(3) > 0);
        Assert.Equal(second.Self, first.Chord.Successor);
        Assert.Equal(first.Self, second.Chord.Predecessor);
        await AssertLookupsCorrect(ring, 50);
    }

    [Fact]
    public async Task A_grown_ring_is_correct_and_lookups_take_about_half_log_n_hops()
    {
        var ring = new SimulatedRing(3, ChordOptions.ForExpectedSize(128));
        await ring.BuildAsync(128);
        Assert.True(ring.IsCorrect(out var problem), problem);

        var hops = new List<int>();
        foreach (var node in ring.SortedLive())
        {
            for (var i = 0; i < 8; i++)
            {
                var key = ring.RandomKey();
                var result = await node.Chord.FindSuccessorAsync(key);
                Assert.Equal(ring.TrueOwner(key).Self, result.Owner);
                hops.Add(result.Hops);
            }
        }
        // Chord: about ½·log₂ N = 3.5 hops for N = 128; fingers make it logarithmic (a successor walk would average 64)
        Assert.True(hops.Average() is > 2.5 and < 4.5, $"average hops {hops.Average()}");
        Assert.True(hops.Max() <= 2 * Math.Log2(128), $"max hops {hops.Max()}");
    }

    [Fact]
    public async Task Fingers_point_at_the_successor_of_n_plus_two_to_the_i()
    {
        var ring = new SimulatedRing(4, ChordOptions.ForExpectedSize(40));
        await ring.BuildAsync(40);
        foreach (var node in ring.SortedLive().Take(5))
        {
            var view = node.Chord.Snapshot();
            Assert.NotEmpty(view.DistinctFingers);
            foreach (var (index, finger) in view.DistinctFingers)
                Assert.Equal(ring.TrueOwner(node.Self.Id + RingId.PowerOfTwo(index)).Self, finger);
        }
    }

    [Theory]
    [InlineData(0.2, 5)]
    [InlineData(0.5, 6)]
    public async Task The_ring_repairs_after_simultaneous_failures(double fraction, int seed)
    {
        var ring = new SimulatedRing(seed, new ChordOptions { SuccessorListLength = 8 });
        await ring.BuildAsync(100);
        var victims = ring.FailFraction(fraction);
        Assert.Equal((int)Math.Round(100 * fraction), victims.Count);

        var rounds = await ring.StabilizeUntilCorrectAsync(maxRounds: 30);
        Assert.True(rounds > 0, ring.IsCorrect(out var problem) ? "" : problem);
        await AssertLookupsCorrect(ring, 300);
    }

    [Fact]
    public async Task A_burst_of_joins_converges_to_a_correct_ring()
    {
        var ring = new SimulatedRing(7, new ChordOptions { SuccessorListLength = 6 });
        await ring.BuildAsync(30);
        for (var i = 0; i < 30; i++) await ring.JoinNewNodeAsync(); // all join before anyone stabilizes
        Assert.False(ring.IsCorrect(out _));
        var rounds = await ring.StabilizeUntilCorrectAsync(maxRounds: 60);
        Assert.True(rounds > 0, ring.IsCorrect(out var problem) ? "" : problem);
        await AssertLookupsCorrect(ring, 200);
    }

    [Fact]
    public async Task A_graceful_leave_relinks_the_neighbours_at_once()
    {
        var ring = new SimulatedRing(8, new ChordOptions { SuccessorListLength = 4 });
        await ring.BuildAsync(20);
        var leaver = ring.SortedLive()[7];
        var predecessor = ring.PredecessorOf(leaver);
        var successor = ring.SortedLive()[8];

        await leaver.Chord.LeaveAsync();
        ring.MarkLeft(leaver);

        Assert.Equal(successor.Self, predecessor.Chord.Successor);
        Assert.Equal(predecessor.Self, successor.Chord.Predecessor);
        Assert.True(ring.SuccessorsCorrect());
        Assert.True(await ring.StabilizeUntilCorrectAsync(5) > 0);
    }

    [Fact]
    public async Task Joining_with_an_id_already_in_the_ring_is_refused_and_a_dead_bootstrap_fails_cleanly()
    {
        var ring = new SimulatedRing(9, new ChordOptions());
        await ring.BuildAsync(5);
        var member = ring.SortedLive()[2];
        var twin = new ChordNode(member.Self, ring.Network.TransportFor(member.Self));
        await Assert.ThrowsAsync<InvalidOperationException>(() => twin.JoinAsync(ring.SortedLive()[0].Self));

        var dead = ring.SortedLive()[0];
        ring.Fail(dead);
        var newcomer = ring.CreateNode();
        await Assert.ThrowsAsync<LookupFailedException>(() => newcomer.Chord.JoinAsync(dead.Self));
    }
}
