namespace SwarmFL.Swarm.Rounds;

/// <summary>The contract's phases of a round (docs/contracts-interface.md), in order.</summary>
public enum RoundPhase : byte
{
    Commit = 0,
    Merge = 1,
    SemiGlobal = 2,
}
