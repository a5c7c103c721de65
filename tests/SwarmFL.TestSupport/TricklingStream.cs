namespace SwarmFL.TestSupport;

/// <summary>A read-only stream of a blob that yields one byte per <paramref name="pause"/>: a holder that never stalls
/// outright, yet would take days to deliver a model.</summary>
public sealed class TricklingStream(byte[] bytes, TimeSpan pause) : Stream
{
    private int _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_position >= bytes.Length || buffer.Length == 0) return 0;
        await Task.Delay(pause, ct);
        buffer.Span[0] = bytes[_position++];
        return 1;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => bytes.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
