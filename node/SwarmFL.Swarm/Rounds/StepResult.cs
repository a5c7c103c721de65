namespace SwarmFL.Swarm.Rounds;

/// <summary>What one step of the round driver did; the node loop logs it and the live view shows it.</summary>
public enum StepAction
{
    Waiting,
    Committed,
    Closed,
    Merged,
    ReplacedLeader,
    PublishedSemiGlobal,
    /// <summary>Sent the draw of the leaders (or, before the election block existed, the transaction that makes it).</summary>
    DrewLeaders,
    /// <summary>Sent a batch of the membership changes of a round that opens over several transactions.</summary>
    ContinuedOpening,
    /// <summary>Recomputed a published merge or semi-global model and found it is what the inputs give.</summary>
    Verified,
    /// <summary>Recomputed the cluster's merge, got another model, and objected on chain.</summary>
    Objected,
    /// <summary>Backed, on chain, a merge that this node recomputed to the same model and that others objected to.</summary>
    Supported,
    /// <summary>As leader, handed in the endorsements of its merge by every other committer of the cluster.</summary>
    Endorsed,
    /// <summary>After the objection window, voided a merge that more committers objected to than supported.</summary>
    SettledContested,
}

public sealed record StepResult(StepAction Action, ulong Round, RoundPhase Phase, string Detail)
{
    public override string ToString() => $"round {Round} {Phase}: {Action} ({Detail})";
}
