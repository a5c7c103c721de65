using System.Security.Cryptography;
using SwarmFL.P2P.Tests.Support;
using SwarmFL.P2P.Yamux;

namespace SwarmFL.P2P.Tests.Yamux;

/// <summary>
/// Receive windows that grow toward bandwidth × RTT and shrink when the reader is the bottleneck, over real sockets.
/// The sessions' clock is manual: while it stands still "consumed within 4 RTTs" always holds, so growth never depends
/// on the machine's speed, and the test moves it to make a reader slow.
/// </summary>
public class YamuxWindowTests
{
    private const long KiB = 1024, MiB = 1024 * KiB, Initial = YamuxOptions.InitialWindow;
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    /// <summary>Time moves only when told: an epoch lasts zero, a ping comes back in the smallest measurable time.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _now);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, by.Ticks);
    }

    private static YamuxOptions Growing(ManualClock? clock = null) => new() { Clock = clock ?? new ManualClock(), MaxReceiveWindow = (int)(16 * MiB) };

    private static async Task<(SocketPair, YamuxSession Client, YamuxSession Server)> SessionPairAsync(YamuxOptions options)
    {
        var pair = await SocketPair.CreateAsync();
        var client = new YamuxSession(pair.Left, isClient: true, options);
        var server = new YamuxSession(pair.Right, isClient: false, options);
        var ct = TestHosts.Timeout();
        while (client.Rtt is null || server.Rtt is null) await Task.Delay(10, ct); // growth waits for a measured RTT
        return (pair, client, server);
    }

    // ---- the rule itself ------------------------------------------------------------------------------------

    [Fact]
    public void The_window_doubles_when_half_of_it_was_consumed_within_four_round_trips_up_to_the_cap()
    {
        var rtt = TimeSpan.FromMilliseconds(50);
        Assert.Equal(2 * Initial, ReceiveWindowTuner.Next(Initial, TimeSpan.FromMilliseconds(100), rtt, 0, Initial, 16 * MiB, Second));
        Assert.Equal(16 * MiB, ReceiveWindowTuner.Next(16 * MiB, TimeSpan.Zero, rtt, 0, Initial, 16 * MiB, Second));
        Assert.Equal(16 * MiB, ReceiveWindowTuner.Next(12 * MiB, TimeSpan.Zero, rtt, 0, Initial, 16 * MiB, Second));
        // Slower than 4 RTTs: the window is not what holds the sender back.
        Assert.Equal(Initial, ReceiveWindowTuner.Next(Initial, TimeSpan.FromMilliseconds(200), rtt, 0, Initial, 16 * MiB, Second));
        // No RTT measured yet: no growth.
        Assert.Equal(Initial, ReceiveWindowTuner.Next(Initial, TimeSpan.Zero, null, 0, Initial, 16 * MiB, Second));
    }

    [Fact]
    public void A_reader_slower_than_a_second_per_half_window_with_a_backlog_halves_it_but_never_below_the_start()
    {
        var rtt = TimeSpan.FromMilliseconds(50);
        Assert.Equal(4 * MiB, ReceiveWindowTuner.Next(8 * MiB, 2 * Second, rtt, 4 * MiB, Initial, 16 * MiB, Second));
        Assert.Equal(Initial, ReceiveWindowTuner.Next(Initial, 2 * Second, rtt, Initial, Initial, 16 * MiB, Second));
        // A backlog but a quick reader (a burst), or a slow reader without a backlog (a slow sender): no shrink.
        Assert.Equal(16 * MiB, ReceiveWindowTuner.Next(8 * MiB, TimeSpan.Zero, rtt, 4 * MiB, Initial, 16 * MiB, Second));
        Assert.Equal(8 * MiB, ReceiveWindowTuner.Next(8 * MiB, 2 * Second, rtt, 1 * MiB, Initial, 16 * MiB, Second));
    }

    // ---- on a session ---------------------------------------------------------------------------------------

    [Fact]
    public async Task A_fast_reader_grows_the_window_to_the_cap_and_closing_returns_the_memory()
    {
        var (pair, client, server) = await SessionPairAsync(Growing());
        using var _ = pair;
        var ct = TestHosts.Timeout(120);
        var outbound = client.OpenStream();
        var data = RandomNumberGenerator.GetBytes((int)(64 * MiB));
        var write = Task.Run(async () => { await outbound.WriteAsync(data, ct); await outbound.CloseWriteAsync(); }, ct);
        var inbound = (await server.AcceptStreamAsync(ct))!;
        using var received = new MemoryStream();
        await inbound.CopyToAsync(received, ct);
        await write;
        Assert.Equal(data, received.ToArray());
        Assert.Equal(16 * MiB, inbound.ReceiveWindowSize);

        await inbound.CloseWriteAsync();
        while (server.WindowGrowth != 0) await Task.Delay(10, ct);
        await client.DisposeAsync();
        await server.Completion.WaitAsync(ct);
    }

    [Fact]
    public async Task A_stalled_reader_holds_the_writer_back_and_a_slow_one_shrinks_the_window_back_to_the_start()
    {
        var clock = new ManualClock();
        var (pair, client, server) = await SessionPairAsync(Growing(clock));
        using var _ = pair;
        var ct = TestHosts.Timeout(120);
        var outbound = client.OpenStream();
        var first = RandomNumberGenerator.GetBytes((int)(32 * MiB));
        var firstWrite = outbound.WriteAsync(first, ct).AsTask();
        var inbound = (await server.AcceptStreamAsync(ct))!;
        var buffer = new byte[first.Length];
        await inbound.ReadExactlyAsync(buffer, ct);
        await firstWrite;
        var grown = inbound.ReceiveWindowSize;
        Assert.True(grown >= 4 * MiB, $"window {grown / KiB} KiB after a fast read of 32 MiB");

        // Now nobody reads: the writer stops at the window, however much it has to send.
        var second = RandomNumberGenerator.GetBytes((int)(64 * MiB));
        var secondWrite = outbound.WriteAsync(second, ct).AsTask();
        await Task.WhenAny(secondWrite, Task.Delay(500, ct));
        Assert.False(secondWrite.IsCompleted);

        // A slow reader (a second per bite, on the test's clock) behind a full window halves the window at each
        // credit until it is back at the start; the memory goes back to the session.
        var received = new byte[second.Length];
        var offset = 0;
        var smallest = grown;
        while (offset < received.Length)
        {
            clock.Advance(Second);
            var n = await inbound.ReadAsync(received.AsMemory(offset, Math.Min(64 * 1024, received.Length - offset)), ct);
            offset += n;
            smallest = Math.Min(smallest, inbound.ReceiveWindowSize);
            if (smallest == Initial) break;
        }
        Assert.Equal(Initial, smallest);
        Assert.True(server.WindowGrowth < grown - Initial, $"session growth {server.WindowGrowth / KiB} KiB");
        await inbound.ReadExactlyAsync(received.AsMemory(offset), ct);
        await secondWrite;
        Assert.Equal(second, received);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task The_session_budget_bounds_the_growth_of_all_its_streams_together()
    {
        var options = Growing() with { MaxSessionWindowGrowth = 2 * MiB };
        var (pair, client, server) = await SessionPairAsync(options);
        using var _ = pair;
        var ct = TestHosts.Timeout(120);
        var transfers = Enumerable.Range(0, 3).Select(async _ =>
        {
            var outbound = client.OpenStream();
            var data = RandomNumberGenerator.GetBytes((int)(16 * MiB));
            var write = Task.Run(async () => { await outbound.WriteAsync(data, ct); await outbound.CloseWriteAsync(); }, ct);
            return (write, data);
        }).ToList();
        var windows = new List<long>();
        for (var i = 0; i < transfers.Count; i++)
        {
            var inbound = (await server.AcceptStreamAsync(ct))!;
            var (write, data) = await transfers[i];
            var received = new byte[data.Length];
            await inbound.ReadExactlyAsync(received, ct);
            await write;
            Assert.True(server.WindowGrowth <= 2 * MiB, $"{server.WindowGrowth} bytes of growth");
            windows.Add(inbound.ReceiveWindowSize);
        }
        Assert.True(windows.Sum(w => w - Initial) <= 2 * MiB, string.Join(", ", windows));
        Assert.Contains(windows, w => w > Initial);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_fixed_window_stays_fixed_and_sends_no_ping()
    {
        var pair = await SocketPair.CreateAsync();
        using var _ = pair;
        var fixedWindow = new YamuxOptions { ReceiveWindow = (int)(4 * MiB), MaxReceiveWindow = (int)(4 * MiB), Clock = new ManualClock() };
        await using var client = new YamuxSession(pair.Left, isClient: true, fixedWindow);
        await using var server = new YamuxSession(pair.Right, isClient: false, fixedWindow);
        var ct = TestHosts.Timeout(120);
        var outbound = client.OpenStream();
        var data = RandomNumberGenerator.GetBytes((int)(16 * MiB));
        var write = outbound.WriteAsync(data, ct).AsTask();
        var inbound = (await server.AcceptStreamAsync(ct))!;
        var received = new byte[data.Length];
        await inbound.ReadExactlyAsync(received, ct);
        await write;
        Assert.Equal(4 * MiB, inbound.ReceiveWindowSize);
        Assert.Null(server.Rtt);
    }
}
