namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Wakes the node's reconcile loop when something may have changed (a new block, a gossip announcement) instead of
/// letting it sleep a fixed interval: a set that nobody waits for is remembered until the next wait.
/// </summary>
public sealed class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Set()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { } // already set: one pending wake-up is enough
    }

    /// <summary>Waits until set or until <paramref name="longest"/> has passed; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan longest, CancellationToken ct) => _signal.WaitAsync(longest, ct);
}
