using SwarmFL.Crypto;
using SwarmFL.P2P.Yamux;

namespace SwarmFL.P2P.Hosting;

/// <summary>
/// An application stream: a yamux stream on which a protocol has been negotiated, with the peer on the other side.
/// Duplex; <see cref="CloseWriteAsync"/> half-closes, <see cref="Reset"/> aborts, disposing closes our side.
/// </summary>
public sealed class Libp2pStream : Stream
{
    private readonly YamuxStream _inner;
    private readonly ProtocolTraffic _traffic;
    private const int ActivitySlice = 64 * 1024;
    private long _lastActivity = System.Diagnostics.Stopwatch.GetTimestamp();
    private long _readWaitingSince; // 0 while no read waits

    internal Libp2pStream(YamuxStream inner, string protocol, Libp2pConnection connection, ProtocolTraffic traffic)
    {
        _inner = inner;
        Protocol = protocol;
        Connection = connection;
        _traffic = traffic;
    }

    public string Protocol { get; }
    public Libp2pConnection Connection { get; }
    public PeerId RemotePeer => Connection.RemotePeer;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _readWaitingSince, System.Diagnostics.Stopwatch.GetTimestamp());
        try
        {
            var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _traffic._bytesIn, n);
            return n;
        }
        finally
        {
            Volatile.Write(ref _readWaitingSince, 0);
            Volatile.Write(ref _lastActivity, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // In slices, so a large write that progresses is not mistaken for an idle stream.
        while (!buffer.IsEmpty)
        {
            var slice = buffer[..Math.Min(buffer.Length, ActivitySlice)];
            await _inner.WriteAsync(slice, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _traffic._bytesOut, slice.Length);
            Volatile.Write(ref _lastActivity, System.Diagnostics.Stopwatch.GetTimestamp());
            buffer = buffer[slice.Length..];
        }
    }

    /// <summary>How long no byte has moved on this stream, and how long the current read (if any) has waited.</summary>
    internal (TimeSpan Idle, TimeSpan ReadWaiting) Quiet(long now)
    {
        var since = Volatile.Read(ref _readWaitingSince);
        return (System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity), now),
                since == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(since, now));
    }

    internal void CountMessageIn() => Interlocked.Increment(ref _traffic._messagesIn);
    internal void CountMessageOut() => Interlocked.Increment(ref _traffic._messagesOut);

    public Task CloseWriteAsync() => _inner.CloseWriteAsync();
    public void Reset() => _inner.Reset();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
