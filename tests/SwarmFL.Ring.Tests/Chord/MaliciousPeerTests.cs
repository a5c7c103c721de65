using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Simulation;

namespace SwarmFL.Ring.Tests.Chord;

/// <summary>A ring member that answers every Chord RPC with nonsense.</summary>
internal sealed class LyingChordService(NodeRef self, Func<NodeRef[]> others) : IChordService
{
    public int Calls { get; private set; }

    public Task<LookupStep> FindSuccessorStepAsync(RingId key, CancellationToken ct)
    {
        Calls++;
        var all = others();
        // alternate between a "next hop" behind us (no progress, could loop forever) and an owner that cannot cover the key
        return Task.FromResult(Calls % 2 == 0
            ? LookupStep.Forward([all.First(node => !RingInterval.Open(node.Id, self.Id, key))])
            : LookupStep.Found([all.First(node => RingInterval.Open(key, node.Id, self.Id) && node != self)]));
    }

    public Task<Neighbors> GetNeighborsAsync(CancellationToken ct)
    {
        Calls++;
        var all = others();
        return Task.FromResult(new Neighbors(self, [all[0], all[1], all[0]])); // loops, and names itself as predecessor
    }

    public Task NotifyAsync(NodeRef caller, CancellationToken ct) => Task.CompletedTask;
    public Task LeavingAsync(NodeRef caller, NodeRef? predecessor, IReadOnlyList<NodeRef> successors, CancellationToken ct) => Task.CompletedTask;
}

public class MaliciousPeerTests
{
    [Fact]
    public async Task A_lying_member_cannot_break_lookups_or_ring_state_and_gets_dropped()
    {
        var ring = new SimulatedRing(21, new ChordOptions { SuccessorListLength = 4 });
        await ring.BuildAsync(40);
        var liar = ring.SortedLive()[13];
        var honestPredecessor = ring.PredecessorOf(liar);
        var liarService = new LyingChordService(liar.Self, () => ring.Nodes.Where(n => n != liar).Select(n => n.Self).ToArray());
        ring.Network.Register(liar.Self, liarService);
        ring.MarkLeft(liar);           // the oracle's true ring: the honest nodes only
        ring.Network.Register(liar.Self, liarService); // …but the liar keeps answering

        for (var round = 0; round < 6; round++) await ring.RunRoundAsync(fixFingers: round % 2 == 1);

        Assert.True(liarService.Calls > 0);
        Assert.True(honestPredecessor.Chord.IsDropped(liar.Self), "the liar's predecessor should have dropped it");
        foreach (var node in ring.SortedLive())
        {
            Assert.DoesNotContain(liar.Self, node.Chord.Successors);
            ChordAnswerValidation.CheckSuccessorList(node.Self, node.Chord.Successors, 64);
        }
        Assert.True(ring.SuccessorsCorrect());
        for (var i = 0; i < 300; i++)
        {
            var key = ring.RandomKey();
            var result = await ring.RandomLiveNode().Chord.FindSuccessorAsync(key);
            Assert.Equal(ring.TrueOwner(key).Self, result.Owner);
            Assert.True(result.Hops <= ring.Options.MaxLookupHops);
        }
    }

    [Fact]
    public void Answers_that_no_correct_ring_could_give_are_rejected()
    {
        var ring = new SimulatedRing(22, new ChordOptions());
        var nodes = Enumerable.Range(0, 5).Select(_ => ring.CreateNode().Self).OrderBy(n => n.Id).ToArray();
        var (a, b, c, d) = (nodes[0], nodes[1], nodes[2], nodes[3]);

        ChordAnswerValidation.CheckSuccessorList(a, [b, c, d], 8);
        ChordAnswerValidation.CheckSuccessorList(a, [a], 8); // alone
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckSuccessorList(a, [b, c, b], 8));  // loop
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckSuccessorList(a, [c, b], 8));     // out of order
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckSuccessorList(a, [b, a], 8));     // itself inside
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckSuccessorList(a, [], 8));
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckSuccessorList(a, [b, c, d], 2)); // too long

        var keyBetweenCAndD = c.Id + RingId.PowerOfTwo(0);
        ChordAnswerValidation.CheckLookupStep(a, keyBetweenCAndD, LookupStep.Forward([c, b]), 8);
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckLookupStep(a, keyBetweenCAndD, LookupStep.Forward([d]), 8));
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckLookupStep(b, keyBetweenCAndD, LookupStep.Forward([a]), 8));
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckLookupStep(a, keyBetweenCAndD, LookupStep.Forward([]), 8));
        ChordAnswerValidation.CheckLookupStep(c, keyBetweenCAndD, LookupStep.Found([d]), 8);
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckLookupStep(a, keyBetweenCAndD, LookupStep.Found([b, c]), 8));
        Assert.Throws<InvalidAnswerException>(() => ChordAnswerValidation.CheckNeighbors(a, new Neighbors(a, [b]), 8));
    }

    [Fact]
    public async Task A_peer_that_never_answers_is_dropped_after_repeated_failures()
    {
        var ring = new SimulatedRing(23, new ChordOptions { FailuresBeforeDrop = 3 });
        await ring.BuildAsync(10);
        var asker = ring.SortedLive()[0];
        var silent = ring.SortedLive()[5];
        ring.Fail(silent);
        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<LookupFailedException>(() => asker.Chord.FindSuccessorViaAsync(silent.Self, ring.RandomKey()));
        Assert.True(asker.Chord.IsDropped(silent.Self));
    }
}
