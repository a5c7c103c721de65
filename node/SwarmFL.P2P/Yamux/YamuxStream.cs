using System.Buffers;
using System.IO.Pipelines;
using SwarmFL.P2P.Framing;

namespace SwarmFL.P2P.Yamux;

/// <summary>
/// One yamux stream as a duplex <see cref="Stream"/>. Received data lands in a pipe (filled by the session's reader);
/// reading it returns window credit to the sender once half the window is consumed, and at that moment the window may
/// grow or shrink (<see cref="ReceiveWindowTuner"/>). Writing waits for send credit, which is the backpressure. <see cref="CloseWriteAsync"/> half-closes (FIN); <see cref="Reset"/> aborts (RST).
/// </summary>
public sealed class YamuxStream : Stream
{
    private readonly YamuxSession _session;
    private readonly Pipe _received;
    private readonly object _sync = new();
    private long _sendWindow = YamuxOptions.InitialWindow;
    private TaskCompletionSource _sendWindowChanged = NewSignal();
    private long _receiveWindow = YamuxOptions.InitialWindow; // credit the remote still has
    private long _unacknowledged;                            // bytes read by the application, not yet credited back
    private long _buffered;                                  // bytes received, not yet read by the application
    private long _window;                                    // credit + buffered + unacknowledged: what we grant in all
    private long _epoch;                                     // when the window was last credited (Options.Clock timestamp)
    private bool _writeClosed;
    private bool _remoteClosed;
    private bool _readAbandoned;
    private Exception? _failure;

    internal YamuxStream(YamuxSession session, uint id, bool inbound)
    {
        _session = session;
        Id = id;
        IsInbound = inbound;
        // The window, not the pipe, bounds buffered data, so the pipe never pauses its writer (the session reader).
        _received = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false));
        // Our announced receive window: the initial window plus what the SYN/ACK update granted.
        _receiveWindow = session.Options.ReceiveWindow;
        _window = session.Options.ReceiveWindow;
        _epoch = session.Options.Clock.GetTimestamp();
    }

    /// <summary>The receive window this stream grants now (it grows with a fast reader, shrinks with a slow one).</summary>
    public long ReceiveWindowSize
    {
        get { lock (_sync) return _window; }
    }

    public uint Id { get; }
    public bool IsInbound { get; }
    public YamuxSession Session => _session;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;

    // ---- reading -------------------------------------------------------------------------------------------

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (_failure is not null || _readAbandoned)
            {
                throw new IOException("yamux stream reset", _failure);
            }
            if (result.IsCanceled)
            {
                if (_failure is not null) throw new IOException(_failure.Message, _failure);
                continue;
            }
            var data = result.Buffer;
            if (data.IsEmpty && result.IsCompleted)
            {
                _received.Reader.AdvanceTo(data.End);
                return 0;
            }
            var n = (int)Math.Min(buffer.Length, data.Length);
            data.Slice(0, n).CopyTo(buffer.Span);
            _received.Reader.AdvanceTo(data.GetPosition(n));
            Credit(n);
            return n;
        }
    }

    /// <summary>
    /// Gives the remote more send credit once half the window has been consumed (fewer, larger updates), resizing the
    /// window at the same moment: the update carries what was consumed plus the growth (or minus the shrink).
    /// </summary>
    private void Credit(int consumed)
    {
        long delta = 0;
        lock (_sync)
        {
            _buffered -= consumed;
            _unacknowledged += consumed;
            if (_unacknowledged >= _window / 2 && !_remoteClosed)
            {
                var options = _session.Options;
                var now = options.Clock.GetTimestamp();
                var next = _readAbandoned
                    ? options.ReceiveWindow
                    : ReceiveWindowTuner.Next(_window, options.Clock.GetElapsedTime(_epoch, now), _session.Rtt, _buffered,
                        options.ReceiveWindow, options.MaxReceiveWindow, options.WindowShrinkAfter);
                // Credit already given cannot be taken back: the window shrinks at most by what is being credited now.
                next = Math.Max(next, _window - _unacknowledged);
                if (next > _window && !_session.TryReserveWindow(next - _window)) next = _window;
                if (next < _window) _session.ReleaseWindow(_window - next);
                delta = _unacknowledged + (next - _window);
                _receiveWindow += delta;
                _unacknowledged = 0;
                _window = next;
                _epoch = now;
            }
        }
        if (delta > 0) _session.Enqueue(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.None, Id, (uint)delta));
    }

    /// <summary>Called when the session forgets the stream: its growth goes back to the session's budget.</summary>
    internal long ReturnWindowGrowth()
    {
        lock (_sync)
        {
            var growth = _window - _session.Options.ReceiveWindow;
            _window = _session.Options.ReceiveWindow;
            return Math.Max(0, growth);
        }
    }

    /// <summary>Called by the session reader: moves <paramref name="length"/> bytes from the connection into this stream.</summary>
    internal async ValueTask ReceiveDataAsync(Stream connection, uint length)
    {
        lock (_sync)
        {
            if (length > _receiveWindow) throw new ProtocolViolationException($"yamux stream {Id}: {length} bytes overrun the receive window of {_receiveWindow}");
            if (_remoteClosed && length > 0) throw new ProtocolViolationException($"yamux stream {Id}: data after FIN");
            _receiveWindow -= length;
            _buffered += length;
        }
        var writer = _received.Writer;
        var remaining = (int)length;
        while (remaining > 0)
        {
            var memory = writer.GetMemory(Math.Min(remaining, 64 * 1024));
            var chunk = Math.Min(remaining, memory.Length);
            var n = await connection.ReadAsync(memory[..chunk]).ConfigureAwait(false);
            if (n == 0) throw new ProtocolViolationException("connection ended inside a yamux data frame");
            writer.Advance(n);
            remaining -= n;
        }
        if (_readAbandoned)
        {
            // Nobody will read: drop the bytes but keep the remote's credit flowing so it can finish and FIN.
            await writer.FlushAsync().ConfigureAwait(false);
            if (_received.Reader.TryRead(out var dropped)) _received.Reader.AdvanceTo(dropped.Buffer.End);
            Credit((int)length);
            return;
        }
        if (length > 0) await writer.FlushAsync().ConfigureAwait(false);
    }

    internal void OnRemoteFin()
    {
        bool finished;
        lock (_sync)
        {
            if (_remoteClosed) return;
            _remoteClosed = true;
            finished = _writeClosed;
        }
        _received.Writer.Complete();
        if (finished) _session.Forget(this);
    }

    internal void OnRemoteReset() => Fail(new IOException($"yamux stream {Id} reset by remote"));

    internal void OnSessionClosed(Exception error) => Fail(error);

    private void Fail(Exception error)
    {
        lock (_sync)
        {
            _failure ??= error;
            _writeClosed = true;
            _remoteClosed = true;
            _sendWindowChanged.TrySetResult();
        }
        _received.Writer.Complete(error);
        _session.Forget(this);
    }

    // ---- writing -------------------------------------------------------------------------------------------

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int chunk;
            Task? wait = null;
            lock (_sync)
            {
                if (_failure is not null) throw new IOException(_failure.Message, _failure);
                if (_writeClosed) throw new IOException($"yamux stream {Id} is closed for writing");
                chunk = (int)Math.Min(Math.Min(buffer.Length, _sendWindow), _session.Options.MaxDataFrame);
                if (chunk == 0)
                {
                    if (_sendWindowChanged.Task.IsCompleted) _sendWindowChanged = NewSignal();
                    wait = _sendWindowChanged.Task;
                }
                else
                {
                    _sendWindow -= chunk;
                }
            }
            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            await _session.EnqueueDataAsync(Id, buffer[..chunk], YamuxFlags.None, cancellationToken).ConfigureAwait(false);
            buffer = buffer[chunk..];
        }
    }

    internal void AddSendWindow(uint delta)
    {
        lock (_sync)
        {
            _sendWindow += delta;
            _sendWindowChanged.TrySetResult();
        }
    }

    /// <summary>Half-closes: the remote reads end-of-stream after the data already written; we can still read.</summary>
    public Task CloseWriteAsync()
    {
        bool finished;
        lock (_sync)
        {
            if (_writeClosed) return Task.CompletedTask;
            _writeClosed = true;
            finished = _remoteClosed;
        }
        _session.Enqueue(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Fin, Id, 0));
        if (finished) _session.Forget(this);
        return Task.CompletedTask;
    }

    /// <summary>Aborts both directions; the remote sees a reset.</summary>
    public void Reset()
    {
        lock (_sync)
        {
            if (_failure is not null) return;
            _failure = new IOException($"yamux stream {Id} was reset locally");
            _writeClosed = true;
            _sendWindowChanged.TrySetResult();
        }
        _session.Enqueue(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, Id, 0));
        _session.Forget(this);
        _received.Reader.CancelPendingRead();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ = CloseWriteAsync();
            lock (_sync)
            {
                // A stream closed while the remote still sends: its data is dropped from now on.
                if (!_remoteClosed) _readAbandoned = true;
            }
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
