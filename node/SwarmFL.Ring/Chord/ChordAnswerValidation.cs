using SwarmFL.P2P.Membership;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Chord;

/// <summary>
/// Checks that a peer's answer is possible on a correct ring before any of it touches our state: lists must walk
/// clockwise from the answerer without repeating (no loops), next hops must lie strictly between the answerer and the
/// key (so every hop makes progress), and an owner must actually cover the key.
/// </summary>
public static class ChordAnswerValidation
{
    public static void CheckSuccessorList(NodeRef answerer, IReadOnlyList<NodeRef> list, int maxLength)
    {
        if (list.Count == 0) throw new InvalidAnswerException($"{answerer} sent an empty successor list");
        if (list.Count > maxLength) throw new InvalidAnswerException($"{answerer} sent {list.Count} successors, more than {maxLength}");
        if (list.Count == 1 && list[0] == answerer) return; // a lone node is its own successor
        var previousDistance = RingId.Zero;
        foreach (var entry in list)
        {
            var distance = RingId.Distance(answerer.Id, entry.Id);
            if (distance == RingId.Zero) throw new InvalidAnswerException($"{answerer} lists itself inside its successor list");
            if (distance <= previousDistance) throw new InvalidAnswerException($"{answerer}'s successor list is not in ring order or loops at {entry}");
            previousDistance = distance;
        }
    }

    public static void CheckLookupStep(NodeRef answerer, RingId key, LookupStep step, int maxLength)
    {
        if (step.Done)
        {
            CheckSuccessorList(answerer, step.Successors, maxLength);
            if (!RingInterval.OpenClosed(key, answerer.Id, step.Successors[0].Id))
                throw new InvalidAnswerException($"{answerer} names {step.Successors[0]} as owner of {key.ToShortString()}, outside (answerer, owner]");
            return;
        }
        if (step.NextHops.Count == 0) throw new InvalidAnswerException($"{answerer} neither answered nor forwarded");
        if (step.NextHops.Count > maxLength) throw new InvalidAnswerException($"{answerer} sent {step.NextHops.Count} next hops");
        foreach (var hop in step.NextHops)
        {
            if (!RingInterval.Open(hop.Id, answerer.Id, key))
                throw new InvalidAnswerException($"{answerer} forwards to {hop}, which is not strictly between it and key {key.ToShortString()}");
        }
    }

    public static void CheckNeighbors(NodeRef answerer, Neighbors neighbors, int maxLength)
    {
        CheckSuccessorList(answerer, neighbors.Successors, maxLength);
        if (neighbors.Predecessor == answerer) throw new InvalidAnswerException($"{answerer} names itself as its predecessor");
    }

    /// <summary>The ring holds members only: an answer that names an outsider is a lie, and its sender is struck for it.</summary>
    public static void CheckMembers(NodeRef answerer, IEnumerable<NodeRef?> named, IPeerMembership membership)
    {
        foreach (var node in named)
        {
            if (node is not null && !membership.IsMember(node.Peer))
                throw new InvalidAnswerException($"{answerer} names {node}, which is not a member of the swarm");
        }
    }
}
