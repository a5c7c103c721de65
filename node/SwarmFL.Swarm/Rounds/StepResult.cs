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
}

public sealed record StepResult(StepAction Action, ulong Round, RoundPhase Phase, string Detail)
{
    public override string ToString() => $"round {Round} {Phase}: {Action} ({Detail})";
}
