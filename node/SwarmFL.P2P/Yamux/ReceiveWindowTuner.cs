namespace SwarmFL.P2P.Yamux;

/// <summary>
/// How large one stream's receive window should be. A window smaller than bandwidth × round-trip time caps the stream
/// at window / RTT, whatever the link; a larger one only costs memory. So, as go-yamux does, the window doubles when
/// the reader consumed half of it within four round trips (the sender was held back by the window), up to
/// <see cref="YamuxOptions.MaxReceiveWindow"/> and as far as the session's memory budget allows. It also halves, back
/// toward the window the stream started with, when the reader is the bottleneck: a quarter of the window or more still
/// sits unread when credit is due, and consuming half the window took longer than <see cref="YamuxOptions.WindowShrinkAfter"/>. A slow
/// reader gains nothing from a deep buffer, and its memory goes back to the session's budget.
/// </summary>
public static class ReceiveWindowTuner
{
    /// <summary>Growth needs the half window to have been consumed within this many round trips.</summary>
    public const int FastRoundTrips = 4;

    /// <summary>The window to announce next.</summary>
    /// <param name="window">The current window (credit the remote holds + unread + read-but-not-credited bytes).</param>
    /// <param name="epoch">Time since the previous window update (or the stream's start): how long half the window took.</param>
    /// <param name="rtt">The session's measured round-trip time; growth waits until one is known.</param>
    /// <param name="backlog">Received bytes the application has not read yet.</param>
    public static long Next(long window, TimeSpan epoch, TimeSpan? rtt, long backlog, long initial, long max, TimeSpan shrinkAfter)
    {
        if (backlog >= window / 4 && epoch >= shrinkAfter) return Math.Max(initial, Math.Min(window, window / 2));
        if (rtt is { } r && r > TimeSpan.Zero && epoch < r * FastRoundTrips) return Math.Max(window, Math.Min(max, window * 2));
        return window;
    }
}
