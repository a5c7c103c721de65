namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The chain's idea of now. Deadlines and timeouts are judged by block timestamps, which can run ahead of the wall
/// clock (a devnet's evm_increaseTime, a chain whose clock is skewed): the clock keeps the offset seen at the latest
/// block and applies it to the local clock, never running behind the wall clock.
/// </summary>
public sealed class ChainClock(TimeProvider? wall = null) : TimeProvider
{
    private readonly TimeProvider _wall = wall ?? System;
    private long _offsetTicks;

    public void Observe(DateTimeOffset latestBlockTime)
    {
        var offset = latestBlockTime - _wall.GetUtcNow();
        if (offset > TimeSpan.Zero) Interlocked.Exchange(ref _offsetTicks, offset.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => _wall.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
