namespace SwarmFL.Ring.Chord;

/// <summary>
/// When the maintenance loop runs next: every <see cref="ChordOptions.StabilizeInterval"/> while the node's predecessor
/// or successor list keeps changing, backing off by doubling up to <see cref="ChordOptions.MaxStabilizeInterval"/> while
/// they stay the same. A node on a quiet ring then sends a fraction of the stabilize and check_predecessor messages, and
/// a join, a leave or a failure next to it brings the short interval back at the next run.
/// </summary>
public sealed class StabilizeSchedule(TimeSpan shortest, TimeSpan longest)
{
    private string? _neighbourhood;

    public TimeSpan Interval { get; private set; } = shortest;

    /// <summary>The wait before the next run, given the neighbourhood the run just ended with.</summary>
    public TimeSpan After(NodeRef? predecessor, IReadOnlyList<NodeRef> successors)
    {
        var neighbourhood = Neighbourhood.Fingerprint(predecessor, successors);
        Interval = neighbourhood == _neighbourhood
            ? TimeSpan.FromTicks(Math.Min(Interval.Ticks * 2, Math.Max(longest.Ticks, shortest.Ticks)))
            : shortest;
        _neighbourhood = neighbourhood;
        return Interval;
    }
}
