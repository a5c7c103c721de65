namespace SwarmFL.Swarm.Rounds;

/// <summary>The contract's phases of a round (docs/contracts-interface.md), in order.</summary>
public enum RoundPhase : byte
{
    Commit = 0,
    Merge = 1,
    SemiGlobal = 2,
    /// <summary>Round 1 before enough members registered, or a round whose members all left.</summary>
    Waiting = 3,
    /// <summary>Closed; the leaders are drawn from the hash of the election block once it is mined over.</summary>
    Election = 4,
    /// <summary>The queued joins and leaves are being applied over several transactions; anyone sends the next batch.</summary>
    Opening = 5,
}
