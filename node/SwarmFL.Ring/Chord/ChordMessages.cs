using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Chord;

/// <summary>
/// One step of an iterative lookup, answered by the node that was asked (Chord's find_successor, unrolled so the
/// initiator drives every hop and can check each answer).
/// Either the key lies in (answerer, answerer's successor] and <see cref="Successors"/> is the answerer's successor
/// list (the key's owner first), or <see cref="NextHops"/> are the answerer's closest preceding nodes for the key,
/// closest to the key first (Chord's closest_preceding_node, with fall-backs for dead fingers).
/// </summary>
public sealed record LookupStep(bool Done, IReadOnlyList<NodeRef> Successors, IReadOnlyList<NodeRef> NextHops)
{
    public static LookupStep Found(IReadOnlyList<NodeRef> successors) => new(true, successors, []);
    public static LookupStep Forward(IReadOnlyList<NodeRef> nextHops) => new(false, [], nextHops);
}

/// <summary>What stabilize asks a successor for: its predecessor and its successor list (one round trip).</summary>
public sealed record Neighbors(NodeRef? Predecessor, IReadOnlyList<NodeRef> Successors);

/// <summary>A finished lookup: the key's owner, the owner's successors after it, and the number of remote hops.</summary>
public sealed record LookupResult(RingId Key, NodeRef Owner, IReadOnlyList<NodeRef> FollowingSuccessors, int Hops)
{
    /// <summary>The owner and then its successors: where the r replicas of the key live.</summary>
    public IEnumerable<NodeRef> OwnerAndSuccessors => FollowingSuccessors.Prepend(Owner);
}

/// <summary>What `ring show` prints: one node's view of the ring.</summary>
public sealed record RingView(NodeRef Self, NodeRef? Predecessor, IReadOnlyList<NodeRef> Successors, IReadOnlyList<(int Index, NodeRef Node)> DistinctFingers);
