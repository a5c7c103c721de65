namespace SwarmFL.P2P.Yamux;

public sealed record YamuxOptions
{
    public const string ProtocolId = "/yamux/1.0.0";
    /// <summary>The window every stream starts with, fixed by the spec.</summary>
    public const int InitialWindow = 256 * 1024;

    /// <summary>The receive window we grant each stream at its start (≥ 256 KiB; the excess is announced in the SYN/ACK
    /// window update). It is also the floor the window shrinks back to.</summary>
    public int ReceiveWindow { get; init; } = InitialWindow;
    /// <summary>
    /// The most a stream's receive window may grow to (toward bandwidth × round-trip time, see
    /// <see cref="ReceiveWindowTuner"/>). Equal to <see cref="ReceiveWindow"/>: a fixed window.
    /// </summary>
    public int MaxReceiveWindow { get; init; } = 16 * 1024 * 1024;
    /// <summary>All growth beyond <see cref="ReceiveWindow"/> of one session's streams together: the memory a peer can
    /// make us buffer on one connection is at most this plus <see cref="ReceiveWindow"/> per open stream.</summary>
    public long MaxSessionWindowGrowth { get; init; } = 32 * 1024 * 1024;
    /// <summary>How often the session measures the round-trip time with a yamux ping (first at start; zero: never,
    /// and windows stay at <see cref="ReceiveWindow"/>).</summary>
    public TimeSpan RttProbeInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A window shrinks when half of it sat unread for at least this long (see <see cref="ReceiveWindowTuner"/>).</summary>
    public TimeSpan WindowShrinkAfter { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Times window epochs and pings (tests freeze it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    /// <summary>Streams the remote may have open on this connection at once; more are reset.</summary>
    public int MaxInboundStreams { get; init; } = 256;
    /// <summary>Streams we may open at once on this connection.</summary>
    public int MaxOutboundStreams { get; init; } = 1024;
    /// <summary>Largest data frame we send: one yamux frame then fills exactly one noise frame.</summary>
    public int MaxDataFrame { get; init; } = Noise.NoiseStream.MaxPlaintextLength - YamuxHeader.Size;
    /// <summary>
    /// Control frames (window updates, ping ACKs, resets) queued for a peer that does not read them; one more ends
    /// the session with go-away. A peer reading normally never has more than a few queued.
    /// </summary>
    public int MaxQueuedControlFrames { get; init; } = 4096;
    /// <summary>Data bytes queued for the connection at once; writers wait beyond this, so a peer that grants credit but does not read pins no more.</summary>
    public int MaxQueuedDataBytes { get; init; } = 4 << 20;
    /// <summary>Pings and no-op frames (empty window updates or data frames without flags) the remote may send in a burst…</summary>
    public int ControlFrameBurst { get; init; } = 256;
    /// <summary>…and per second after it; more ends the session with go-away (a control-frame flood).</summary>
    public int ControlFramesPerSecond { get; init; } = 64;
}
