namespace SwarmFL.Ring.Chord;

public sealed record ChordOptions
{
    /// <summary>r, the successor list length. Chord's analysis wants Ω(log₂ N); use <see cref="ForExpectedSize"/>.</summary>
    public int SuccessorListLength { get; init; } = 8;
    /// <summary>How many closest-preceding candidates a node offers per lookup step, so the initiator can route around dead ones.</summary>
    public int NextHopCandidates { get; init; } = 3;
    /// <summary>
    /// Route through successor-list entries as well as fingers (as deployed Chord implementations do). Off reproduces
    /// the paper's finger-only routing, whose mean path length is ½·log₂ N; the successor is still offered as a last resort.
    /// </summary>
    public bool RouteViaSuccessorList { get; init; } = true;
    /// <summary>A lookup that needs more hops than this is abandoned: each valid hop halves nothing if a peer lies, so bound it.</summary>
    public int MaxLookupHops { get; init; } = 160;
    /// <summary>Longest list a peer may send us; longer answers are invalid.</summary>
    public int MaxListLength { get; init; } = 64;
    /// <summary>Consecutive failed or invalid answers after which a peer is dropped from every table and ignored.</summary>
    public int FailuresBeforeDrop { get; init; } = 3;
    /// <summary>How long a dropped peer stays ignored.</summary>
    public TimeSpan DropDuration { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Time between two runs of stabilize and check_predecessor while the neighbourhood changes.</summary>
    public TimeSpan StabilizeInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// While a run finds the predecessor and successor list as they were, the time to the next run doubles up to this;
    /// any change brings it back to <see cref="StabilizeInterval"/>. A quiet ring costs a fraction of the messages, and a
    /// join or a failure is still noticed within this long. Null: 4 × <see cref="StabilizeInterval"/>.
    /// </summary>
    public TimeSpan? MaxStabilizeInterval { get; init; }

    public TimeSpan LongestStabilizeInterval => MaxStabilizeInterval ?? StabilizeInterval * 4;
    public TimeSpan FixFingersInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan RpcTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Options with r = ⌈log₂ N⌉ (at least 3), the successor list length the Chord paper's failure analysis uses.</summary>
    public static ChordOptions ForExpectedSize(int expectedNodes) =>
        new() { SuccessorListLength = Math.Max(3, (int)Math.Ceiling(Math.Log2(Math.Max(2, expectedNodes)))) };
}
