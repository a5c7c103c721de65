using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Swarm.Tests;

/// <summary>The block poll for chains without a new-heads subscription: it follows the block time and backs off.</summary>
public class BlockPollScheduleTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100), Slow = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Without_blocks_the_poll_backs_off_doubling_to_the_slowest_rate()
    {
        var schedule = new BlockPollSchedule(Fast, Slow);
        var delays = Enumerable.Range(0, 7).Select(i => schedule.Next(newBlock: false, T0.AddSeconds(i)).TotalMilliseconds).ToArray();
        Assert.Equal([100, 200, 400, 800, 1000, 1000, 1000], delays);
    }

    [Fact]
    public void After_a_block_it_sleeps_through_most_of_a_regular_block_time_then_looks_closely()
    {
        var schedule = new BlockPollSchedule(Fast, TimeSpan.FromSeconds(5));
        Assert.Equal(Fast, schedule.Next(newBlock: true, T0)); // the block time is not known yet
        for (var i = 1; i <= 5; i++) schedule.Next(newBlock: true, T0.AddSeconds(2 * i));
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.BlockTime);
        Assert.Equal(TimeSpan.FromSeconds(1.6), schedule.Next(newBlock: true, T0.AddSeconds(12)));
        Assert.Equal(Fast, schedule.Next(newBlock: false, T0.AddSeconds(13.6)));
        Assert.Equal(2 * Fast, schedule.Next(newBlock: false, T0.AddSeconds(13.7)));
    }

    [Fact]
    public void A_new_block_resets_the_backoff_and_the_lead_never_exceeds_the_slowest_rate()
    {
        var schedule = new BlockPollSchedule(Fast, Slow);
        schedule.Next(newBlock: true, T0);
        for (var i = 0; i < 6; i++) schedule.Next(newBlock: false, T0.AddSeconds(i));
        Assert.Equal(Slow, schedule.Next(newBlock: true, T0.AddSeconds(30))); // a 30 s gap: sleep at most the slowest rate
        Assert.Equal(Fast, schedule.Next(newBlock: false, T0.AddSeconds(31)));
    }

    [Fact]
    public void A_burst_of_blocks_shortens_the_estimate_so_the_poll_speeds_up()
    {
        var schedule = new BlockPollSchedule(Fast, Slow);
        schedule.Next(newBlock: true, T0);
        schedule.Next(newBlock: true, T0.AddSeconds(10));
        var slowPhase = schedule.BlockTime!.Value;
        for (var i = 1; i <= 20; i++) schedule.Next(newBlock: true, T0.AddSeconds(10 + 0.05 * i));
        Assert.True(schedule.BlockTime < TimeSpan.FromMilliseconds(200), $"{schedule.BlockTime} after a burst, {slowPhase} before");
        Assert.Equal(Fast, schedule.Next(newBlock: true, T0.AddSeconds(11.05)));
    }
}
