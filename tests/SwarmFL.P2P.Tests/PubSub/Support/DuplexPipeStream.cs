using System.Buffers;
using System.IO.Pipelines;

namespace SwarmFL.P2P.Tests.PubSub.Support;

/// <summary>One end of an in-memory bidirectional byte stream built from two pipes.</summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly PipeReader _in;
    private readonly PipeWriter _out;
    private volatile bool _closed;

    private DuplexPipeStream(PipeReader input, PipeWriter output)
    {
        _in = input;
        _out = output;
    }

    public static (DuplexPipeStream A, DuplexPipeStream B) CreatePair()
    {
        var aToB = new Pipe();
        var bToA = new Pipe();
        return (new DuplexPipeStream(bToA.Reader, aToB.Writer), new DuplexPipeStream(aToB.Reader, bToA.Writer));
    }

    /// <summary>Simulates a dropped connection: pending and future reads end, writes fail. Safe from any thread.</summary>
    public void Abort()
    {
        _closed = true;
        _in.CancelPendingRead();
        _out.CancelPendingFlush();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_closed) return 0;
        var result = await _in.ReadAsync(cancellationToken);
        if (result.IsCanceled || _closed) return 0;
        var buffer = result.Buffer;
        if (buffer.IsEmpty && result.IsCompleted)
        {
            _in.AdvanceTo(buffer.End);
            return 0;
        }
        var count = (int)Math.Min(destination.Length, buffer.Length);
        buffer.Slice(0, count).CopyTo(destination.Span);
        _in.AdvanceTo(buffer.GetPosition(count));
        return count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (_closed) throw new IOException("stream is closed");
        var result = await _out.WriteAsync(source, cancellationToken);
        if (result.IsCanceled || result.IsCompleted || _closed) throw new IOException("stream was closed by the other side");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _out.Complete();
            _in.CancelPendingRead();
            _in.Complete();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
