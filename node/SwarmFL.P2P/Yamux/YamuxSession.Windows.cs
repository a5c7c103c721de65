namespace SwarmFL.P2P.Yamux;

/// <summary>What window growth needs from the session: the round-trip time and a memory budget shared by its streams.</summary>
public sealed partial class YamuxSession
{
    private long _windowGrowth;
    private long _rttTicks;

    /// <summary>The latest measured round-trip time, once a ping has come back.</summary>
    public TimeSpan? Rtt => Interlocked.Read(ref _rttTicks) is var t and > 0 ? TimeSpan.FromTicks(t) : null;

    /// <summary>Window bytes beyond <see cref="YamuxOptions.ReceiveWindow"/> the streams hold together now.</summary>
    public long WindowGrowth => Interlocked.Read(ref _windowGrowth);

    internal bool TryReserveWindow(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _windowGrowth);
            if (used + bytes > Options.MaxSessionWindowGrowth) return false;
            if (Interlocked.CompareExchange(ref _windowGrowth, used + bytes, used) == used) return true;
        }
    }

    internal void ReleaseWindow(long bytes)
    {
        if (bytes > 0) Interlocked.Add(ref _windowGrowth, -bytes);
    }

    /// <summary>Pings at start and then every <see cref="YamuxOptions.RttProbeInterval"/> until the session ends.</summary>
    private async Task ProbeRttAsync()
    {
        if (Options.RttProbeInterval <= TimeSpan.Zero || Options.MaxReceiveWindow <= Options.ReceiveWindow) return;
        while (!IsClosed)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var rtt = await PingAsync(timeout.Token).ConfigureAwait(false);
                Interlocked.Exchange(ref _rttTicks, Math.Max(1, rtt.Ticks));
            }
            catch (OperationCanceledException) { } // a peer that does not answer pings: windows simply do not grow
            catch (IOException) { return; }
            try
            {
                await Task.WhenAny(_closed.Task, Task.Delay(Options.RttProbeInterval)).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) { return; }
        }
    }
}
