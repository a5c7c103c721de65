using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Serilog;
using SwarmFL.P2P.Framing;

namespace SwarmFL.P2P.Yamux;

/// <summary>
/// A yamux session (/yamux/1.0.0) multiplexing streams over one secure connection. One task reads frames and
/// dispatches them; one task writes queued frames, so a reader never waits behind a blocked writer (which would let
/// two peers that both send deadlock). The dialer opens odd stream ids, the listener even ones.
/// </summary>
public sealed partial class YamuxSession : IAsyncDisposable
{
    private readonly Stream _connection;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<uint, YamuxStream> _streams = new();
    private readonly Channel<YamuxStream> _accepted = Channel.CreateUnbounded<YamuxStream>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private readonly Channel<OutboundFrame> _outbound = Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<uint, (TaskCompletionSource<TimeSpan> Done, long Started)> _pings = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private readonly Task _writeLoop;
    private uint _nextStreamId;
    private uint _lastInboundId;
    /// <summary>Inbound ids passed over by a higher one that may still arrive (out-of-order SYNs); bounded.</summary>
    private readonly HashSet<uint> _skippedInboundIds = [];
    private const uint MaxSkippedInboundIds = 64;
    private uint _nextPingId;
    private int _inboundCount;
    private int _outboundCount;
    private int _closing;
    private int _queuedControl;
    private long _queuedData;
    private TaskCompletionSource _dataDrained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private double _controlTokens;
    private long _controlRefilled = Stopwatch.GetTimestamp();

    public YamuxSession(Stream connection, bool isClient, YamuxOptions? options = null, ILogger? log = null)
    {
        _connection = connection;
        Options = options ?? new YamuxOptions();
        if (Options.ReceiveWindow < YamuxOptions.InitialWindow) throw new ArgumentException("receive window below the 256 KiB the spec starts with");
        if (Options.MaxReceiveWindow < Options.ReceiveWindow) Options = Options with { MaxReceiveWindow = Options.ReceiveWindow };
        _log = log ?? Log.ForContext<YamuxSession>();
        IsClient = isClient;
        _nextStreamId = isClient ? 1u : 2u;
        _controlTokens = Options.ControlFrameBurst;
        _writeLoop = Task.Run(WriteLoopAsync);
        _readLoop = Task.Run(ReadLoopAsync);
        _ = Task.Run(ProbeRttAsync);
    }

    public YamuxOptions Options { get; }
    public bool IsClient { get; }
    /// <summary>Completes when the session has ended, for whatever reason.</summary>
    public Task Completion => _closed.Task;
    public bool IsClosed => _closed.Task.IsCompleted || Volatile.Read(ref _closing) != 0;
    /// <summary>Go-away code the remote sent, if it sent one.</summary>
    public YamuxGoAwayCode? RemoteGoAway { get; private set; }
    /// <summary>Go-away code we sent, if we sent one.</summary>
    public YamuxGoAwayCode? LocalGoAway { get; private set; }
    public int OpenStreamCount => _streams.Count;
    /// <summary>The limit the remote broke, when the session ended because of one.</summary>
    public YamuxLimitBreach? LimitBreach { get; private set; }

    public YamuxStream OpenStream()
    {
        if (IsClosed || RemoteGoAway is not null) throw new IOException("yamux session is closed");
        if (Interlocked.Increment(ref _outboundCount) > Options.MaxOutboundStreams)
        {
            Interlocked.Decrement(ref _outboundCount);
            throw new IOException($"more than {Options.MaxOutboundStreams} outbound streams on one connection");
        }
        YamuxStream stream;
        // The id and its SYN are queued together: two streams opened at once must reach the remote in id order, or it
        // may take the later SYN first and the earlier one for a reused id.
        lock (_streams)
        {
            var id = _nextStreamId;
            _nextStreamId += 2;
            stream = new YamuxStream(this, id, inbound: false);
            _streams[id] = stream;
            // The SYN travels on a window update that also announces any receive window beyond the initial 256 KiB.
            Enqueue(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, id, (uint)(Options.ReceiveWindow - YamuxOptions.InitialWindow)));
        }
        return stream;
    }

    public async ValueTask<YamuxStream?> AcceptStreamAsync(CancellationToken ct)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Sends a yamux ping and returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextPingId);
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[id] = (done, Options.Clock.GetTimestamp());
        try
        {
            Enqueue(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, id));
            return await done.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _pings.TryRemove(id, out _);
        }
    }

    /// <summary>Sends go-away with a normal code and closes the connection once queued frames are out.</summary>
    public ValueTask DisposeAsync() => CloseAsync(YamuxGoAwayCode.Normal, null);

    internal async ValueTask CloseAsync(YamuxGoAwayCode code, string? reason)
    {
        if (!await GoAwayAsync(code, reason).ConfigureAwait(false))
        {
            await _closed.Task.ConfigureAwait(false);
            return;
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
    }

    /// <summary>Queues go-away and lets it (and anything queued before it) leave; false if the session was already closing.</summary>
    private async ValueTask<bool> GoAwayAsync(YamuxGoAwayCode code, string? reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return false;
        if (code != YamuxGoAwayCode.Normal) _log.Warning("Yamux go-away {Code}: {Reason}", code, reason);
        LocalGoAway = code;
        _outbound.Writer.TryWrite(OutboundFrame.Control(new YamuxHeader(YamuxFrameType.GoAway, YamuxFlags.None, 0, (uint)code)));
        _outbound.Writer.TryComplete();
        // Never hang on a peer that stopped reading.
        await Task.WhenAny(_writeLoop, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        return true;
    }

    // ---- writing -------------------------------------------------------------------------------------------

    internal void Enqueue(YamuxHeader header)
    {
        if (Interlocked.Increment(ref _queuedControl) > Options.MaxQueuedControlFrames)
        {
            // The remote has not read what we owe it for a long while: it is stalling us or flooding us to queue ACKs.
            Interlocked.Decrement(ref _queuedControl);
            Breach(YamuxLimitBreach.OutboundQueue, $"more than {Options.MaxQueuedControlFrames} control frames queued for a peer that does not read them");
            return;
        }
        if (!_outbound.Writer.TryWrite(OutboundFrame.Control(header)))
        {
            Interlocked.Decrement(ref _queuedControl);
            _log.Debug("Yamux frame {Type} on stream {Stream} dropped: session closed", header.Type, header.StreamId);
        }
    }

    /// <summary>Queues a data frame, waiting while the connection already has its share of data queued; the caller holds send-window credit for it.</summary>
    internal async ValueTask EnqueueDataAsync(uint streamId, ReadOnlyMemory<byte> data, YamuxFlags flags, CancellationToken ct)
    {
        while (Interlocked.Read(ref _queuedData) > 0 && Interlocked.Read(ref _queuedData) + data.Length > Options.MaxQueuedDataBytes)
        {
            if (IsClosed) throw new IOException("yamux session is closed");
            var drained = Volatile.Read(ref _dataDrained).Task;
            if (Interlocked.Read(ref _queuedData) + data.Length <= Options.MaxQueuedDataBytes) break;
            await drained.WaitAsync(ct).ConfigureAwait(false);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(YamuxHeader.Size + data.Length);
        new YamuxHeader(YamuxFrameType.Data, flags, streamId, (uint)data.Length).WriteTo(buffer);
        data.Span.CopyTo(buffer.AsSpan(YamuxHeader.Size));
        Interlocked.Add(ref _queuedData, data.Length);
        if (!_outbound.Writer.TryWrite(new OutboundFrame(buffer, YamuxHeader.Size + data.Length)))
        {
            Interlocked.Add(ref _queuedData, -data.Length);
            ArrayPool<byte>.Shared.Return(buffer);
            throw new IOException("yamux session is closed");
        }
    }

    private void DataWritten(int length)
    {
        Interlocked.Add(ref _queuedData, -length);
        Interlocked.Exchange(ref _dataDrained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Ends the session with go-away because the remote broke a limit (once; the first breach is the one kept).</summary>
    private void Breach(YamuxLimitBreach breach, string reason)
    {
        if (Volatile.Read(ref _closing) != 0) return;
        LimitBreach ??= breach;
        _ = Task.Run(async () =>
        {
            try { await CloseAsync(YamuxGoAwayCode.ProtocolError, reason).ConfigureAwait(false); }
            catch (Exception e) { _log.Debug("Closing the session after {Breach} failed: {Error}", breach, e.Message); }
        });
    }

    /// <summary>Charges one ping or no-op frame to the remote's control budget; false once it is flooding.</summary>
    private bool ChargeControlFrame()
    {
        var now = Stopwatch.GetTimestamp();
        _controlTokens = Math.Min(Options.ControlFrameBurst, _controlTokens + Stopwatch.GetElapsedTime(_controlRefilled, now).TotalSeconds * Options.ControlFramesPerSecond);
        _controlRefilled = now;
        if (_controlTokens < 1) return false;
        _controlTokens--;
        return true;
    }

    private async Task WriteLoopAsync()
    {
        var control = new byte[YamuxHeader.Size];
        try
        {
            var reader = _outbound.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    if (frame.Buffer is null)
                    {
                        Interlocked.Decrement(ref _queuedControl);
                        frame.Header.WriteTo(control);
                        await _connection.WriteAsync(control).ConfigureAwait(false);
                    }
                    else
                    {
                        try { await _connection.WriteAsync(frame.Buffer.AsMemory(0, frame.Length)).ConfigureAwait(false); }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(frame.Buffer);
                            DataWritten(frame.Length - YamuxHeader.Size);
                        }
                    }
                }
                await _connection.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            _log.Debug("Yamux writer stopped: {Error}", e.Message);
            _outbound.Writer.TryComplete();
            // A dead connection: make sure the reader stops too.
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        // Drop whatever was still queued.
        while (_outbound.Reader.TryRead(out var frame))
        {
            if (frame.Buffer is null) continue;
            ArrayPool<byte>.Shared.Return(frame.Buffer);
            DataWritten(frame.Length - YamuxHeader.Size);
        }
    }

    // ---- reading -------------------------------------------------------------------------------------------

    private async Task ReadLoopAsync()
    {
        var headerBytes = new byte[YamuxHeader.Size];
        Exception? failure = null;
        try
        {
            while (true)
            {
                var n = await ReadHeaderAsync(headerBytes).ConfigureAwait(false);
                if (!n) break;
                var header = YamuxHeader.Parse(headerBytes);
                if (IsNoOp(header) && !ChargeControlFrame())
                {
                    LimitBreach ??= YamuxLimitBreach.ControlFlood;
                    throw new ProtocolViolationException($"more than {Options.ControlFramesPerSecond} pings or empty frames per second (burst {Options.ControlFrameBurst})");
                }
                switch (header.Type)
                {
                    case YamuxFrameType.Data:
                    case YamuxFrameType.WindowUpdate:
                        await HandleStreamFrameAsync(header).ConfigureAwait(false);
                        break;
                    case YamuxFrameType.Ping:
                        HandlePing(header);
                        break;
                    case YamuxFrameType.GoAway:
                        RemoteGoAway = (YamuxGoAwayCode)header.Length;
                        _log.Debug("Yamux remote go-away {Code}", RemoteGoAway);
                        break;
                }
            }
        }
        catch (ProtocolViolationException e)
        {
            failure = e;
            await GoAwayAsync(YamuxGoAwayCode.ProtocolError, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            failure = e;
            _log.Debug("Yamux reader stopped: {Error}", e.Message);
        }
        catch (Exception e)
        {
            failure = e;
            _log.Error(e, "Yamux reader failed");
            await GoAwayAsync(YamuxGoAwayCode.InternalError, e.Message).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _closing, 1);
            _outbound.Writer.TryComplete();
            _accepted.Writer.TryComplete();
            var error = new IOException("yamux session closed", failure);
            foreach (var stream in _streams.Values) stream.OnSessionClosed(error);
            _streams.Clear();
            foreach (var ping in _pings.Values) ping.Done.TrySetException(error);
            _connection.Dispose();
            _closed.TrySetResult();
        }
    }

    /// <summary>Frames that cost us work but carry nothing: pings, and window updates or data frames with no length and no flags.</summary>
    private static bool IsNoOp(YamuxHeader header) =>
        (header.Type == YamuxFrameType.Ping && (header.Flags & YamuxFlags.Syn) != 0)
        || (header.Type is YamuxFrameType.WindowUpdate or YamuxFrameType.Data && header.Length == 0 && header.Flags == YamuxFlags.None);

    private async ValueTask<bool> ReadHeaderAsync(byte[] header)
    {
        var read = 0;
        while (read < header.Length)
        {
            var n = await _connection.ReadAsync(header.AsMemory(read)).ConfigureAwait(false);
            if (n == 0)
            {
                if (read == 0) return false;
                throw new ProtocolViolationException("connection ended inside a yamux header");
            }
            read += n;
        }
        return true;
    }

    private async ValueTask HandleStreamFrameAsync(YamuxHeader header)
    {
        if (header.StreamId == 0) throw new ProtocolViolationException($"yamux {header.Type} frame on session stream 0");
        YamuxStream? stream;
        if ((header.Flags & YamuxFlags.Syn) != 0)
        {
            stream = OpenInbound(header.StreamId);
        }
        else
        {
            _streams.TryGetValue(header.StreamId, out stream);
        }

        if (header.Type == YamuxFrameType.Data)
        {
            if (stream is null) await DiscardAsync(header.Length).ConfigureAwait(false); // a stream we reset or refused
            else await stream.ReceiveDataAsync(_connection, header.Length).ConfigureAwait(false);
        }
        else if (stream is not null && header.Length > 0)
        {
            stream.AddSendWindow(header.Length);
        }

        if (stream is null) return;
        if ((header.Flags & YamuxFlags.Rst) != 0) stream.OnRemoteReset();
        else if ((header.Flags & YamuxFlags.Fin) != 0) stream.OnRemoteFin();
    }

    /// <summary>Raised when an inbound stream is reset because the remote holds its maximum of open streams.</summary>
    public event Action? InboundStreamRefused;

    private YamuxStream? OpenInbound(uint id)
    {
        var remoteIsClient = !IsClient;
        if ((id % 2 == 1) != remoteIsClient) throw new ProtocolViolationException($"yamux stream id {id} has the wrong parity for the remote");
        if (_streams.ContainsKey(id)) throw new ProtocolViolationException($"yamux stream id {id} reused");
        if (id <= _lastInboundId)
        {
            // Other implementations (go-yamux) may send two SYNs out of id order; an id skipped over earlier is fine once.
            if (!_skippedInboundIds.Remove(id)) throw new ProtocolViolationException($"yamux stream id {id} reused");
        }
        else
        {
            // Same parity as id throughout (checked above); at most the MaxSkippedInboundIds ids just below it.
            var first = _lastInboundId == 0 ? (id % 2 == 1 ? 1u : 2u) : _lastInboundId + 2;
            var floor = id > 2 * MaxSkippedInboundIds ? id - 2 * MaxSkippedInboundIds : 0;
            for (var skipped = Math.Max(first, floor); skipped < id; skipped += 2) _skippedInboundIds.Add(skipped);
            if (_skippedInboundIds.Count > MaxSkippedInboundIds) _skippedInboundIds.RemoveWhere(s => s < id - 2 * MaxSkippedInboundIds);
            _lastInboundId = id;
        }
        if (Volatile.Read(ref _closing) != 0 || Interlocked.Increment(ref _inboundCount) > Options.MaxInboundStreams)
        {
            if (Volatile.Read(ref _closing) == 0) Interlocked.Decrement(ref _inboundCount);
            _log.Debug("Yamux inbound stream {Stream} refused: {Count} streams open", id, Options.MaxInboundStreams);
            Enqueue(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, id, 0));
            if (Volatile.Read(ref _closing) == 0) InboundStreamRefused?.Invoke();
            return null;
        }
        var stream = new YamuxStream(this, id, inbound: true);
        _streams[id] = stream;
        Enqueue(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Ack, id, (uint)(Options.ReceiveWindow - YamuxOptions.InitialWindow)));
        _accepted.Writer.TryWrite(stream);
        return stream;
    }

    private void HandlePing(YamuxHeader header)
    {
        if ((header.Flags & YamuxFlags.Syn) != 0)
            Enqueue(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Ack, 0, header.Length));
        else if ((header.Flags & YamuxFlags.Ack) != 0 && _pings.TryRemove(header.Length, out var ping))
            ping.Done.TrySetResult(Options.Clock.GetElapsedTime(ping.Started));
    }

    private async ValueTask DiscardAsync(uint length)
    {
        if (length > (uint)Options.MaxReceiveWindow) throw new ProtocolViolationException($"yamux data frame of {length} bytes exceeds any window");
        var scratch = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, 65536));
        try
        {
            while (length > 0)
            {
                var n = await _connection.ReadAsync(scratch.AsMemory(0, (int)Math.Min(length, (uint)scratch.Length))).ConfigureAwait(false);
                if (n == 0) throw new ProtocolViolationException("connection ended inside a yamux data frame");
                length -= (uint)n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    internal void Forget(YamuxStream stream)
    {
        if (!_streams.TryRemove(new KeyValuePair<uint, YamuxStream>(stream.Id, stream))) return;
        ReleaseWindow(stream.ReturnWindowGrowth());
        if (stream.IsInbound) Interlocked.Decrement(ref _inboundCount);
        else Interlocked.Decrement(ref _outboundCount);
    }

    private readonly record struct OutboundFrame(byte[]? Buffer, int Length, YamuxHeader Header = default)
    {
        public static OutboundFrame Control(YamuxHeader header) => new(null, 0, header);
    }
}

/// <summary>A limit the remote broke, which ended the session.</summary>
public enum YamuxLimitBreach
{
    /// <summary>It did not read what we had to send it (ping ACKs, window updates) while it kept asking for more.</summary>
    OutboundQueue,
    /// <summary>It sent pings or empty frames faster than the control budget allows.</summary>
    ControlFlood,
}
