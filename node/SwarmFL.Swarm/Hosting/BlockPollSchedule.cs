namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// When to ask for the block number next, for a chain that offers no new-heads subscription. The schedule learns the
/// chain's block time (a moving average of the gaps between the blocks it saw): after a block it sleeps through most
/// of the expected gap, then looks again at the fastest rate and backs off (doubling) to the slowest while nothing
/// comes. An automining devnet, whose blocks come in bursts, is polled fast in a burst and slowly between bursts.
/// </summary>
public sealed class BlockPollSchedule(TimeSpan fastest, TimeSpan slowest)
{
    /// <summary>How much of the expected gap to sleep through before looking closely.</summary>
    private const double Lead = 0.8;

    private DateTimeOffset? _lastBlockAt;
    private TimeSpan _backoff = fastest;

    public TimeSpan Fastest { get; } = fastest;
    public TimeSpan Slowest { get; } = slowest > fastest ? slowest : fastest;

    /// <summary>The estimated time between blocks, once two blocks have been seen.</summary>
    public TimeSpan? BlockTime { get; private set; }

    /// <summary>The delay before the next poll, given whether this poll found a new block (a failed poll found none).</summary>
    public TimeSpan Next(bool newBlock, DateTimeOffset now)
    {
        if (!newBlock)
        {
            var delay = _backoff;
            _backoff = Clamp(_backoff * 2);
            return delay;
        }
        if (_lastBlockAt is { } last && now > last)
        {
            var gap = now - last;
            BlockTime = BlockTime is { } known ? (known * 3 + gap) / 4 : gap;
        }
        _lastBlockAt = now;
        _backoff = Fastest;
        return BlockTime is { } blockTime ? Clamp(blockTime * Lead) : Fastest;
    }

    private TimeSpan Clamp(TimeSpan delay) => delay < Fastest ? Fastest : delay > Slowest ? Slowest : delay;
}
