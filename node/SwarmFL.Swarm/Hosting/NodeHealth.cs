namespace SwarmFL.Swarm.Hosting;

/// <summary>An answer of a health check: healthy or not, and one line saying why not.</summary>
public sealed record HealthAnswer(bool Healthy, string Reason)
{
    public static HealthAnswer Ok(string reason = "ok") => new(true, reason);
    public static HealthAnswer Fail(string reason) => new(false, reason);
}

/// <summary>What the liveness and readiness checks look at, read from a running node at one moment.</summary>
public sealed record NodeHealthFacts(
    bool Started,
    bool RoundLoopRunning,
    bool BlockWatcherRunning,
    bool Registered,
    bool AloneInRing,
    bool ExpectsPeers,
    DateTimeOffset? LastHeadRead,
    string? LastChainError,
    DateTimeOffset Now);

/// <summary>
/// The two checks a supervisor asks. Liveness: the node's loops run (the round loop and the chain watcher); a chain
/// outage does not make a node unhealthy — restarting it would not bring the chain back and would cost it its place in
/// the round. Readiness: the node is registered, in the ring, and follows the chain (it read the chain's head within
/// <see cref="ChainStaleAfter"/>).
/// </summary>
public static class NodeHealth
{
    public static readonly TimeSpan ChainStaleAfter = TimeSpan.FromSeconds(10);

    public static HealthAnswer Liveness(NodeHealthFacts facts)
    {
        if (!facts.Started) return HealthAnswer.Fail("starting: connecting to the chain, registering and joining the ring");
        if (!facts.RoundLoopRunning) return HealthAnswer.Fail("the round loop is not running (stopped or stopping)");
        if (!facts.BlockWatcherRunning) return HealthAnswer.Fail("the chain watcher is not running");
        return HealthAnswer.Ok();
    }

    public static HealthAnswer Readiness(NodeHealthFacts facts)
    {
        if (Liveness(facts) is { Healthy: false } dead) return dead;
        if (!facts.Registered) return HealthAnswer.Fail("not registered on the swarm's contract");
        if (facts.AloneInRing && facts.ExpectsPeers) return HealthAnswer.Fail("alone in the ring: no successor other than itself yet");
        if (facts.LastHeadRead is not { } read)
            return HealthAnswer.Fail($"not following the chain: its head was never read{(facts.LastChainError is { } e ? $" ({e})" : "")}");
        var age = facts.Now - read;
        if (age > ChainStaleAfter)
            return HealthAnswer.Fail($"not following the chain: head last read {age.TotalSeconds:0} s ago{(facts.LastChainError is { } e2 ? $" ({e2})" : "")}");
        return HealthAnswer.Ok();
    }
}
