using System.Buffers;
using System.Buffers.Binary;
using SwarmFL.P2P.Framing;

namespace SwarmFL.P2P.Noise;

/// <summary>
/// The secure channel after a Noise handshake: every write is cut into frames of at most 65535 bytes of ciphertext,
/// each prefixed by its 2-byte big-endian length (libp2p noise spec, "Wire Format"). Buffers are pooled and reused:
/// the hot path allocates nothing per frame. One reader and one writer may use it at the same time.
/// Encrypted frames are collected (up to four) and sent together: writes reach the socket at the latest on
/// <see cref="FlushAsync(CancellationToken)"/>, which every writer of this stream calls when it has nothing more queued.
/// </summary>
public sealed class NoiseStream : Stream
{
    public const int MaxFrameLength = 65535;
    public const int MaxPlaintextLength = MaxFrameLength - CipherState.TagSize;

    private readonly Stream _inner;
    private readonly CipherState _sender;
    private readonly CipherState _receiver;
    private const int SendBatchSize = 4 * (2 + MaxFrameLength);
    private readonly byte[] _sendBuffer = ArrayPool<byte>.Shared.Rent(SendBatchSize);
    private int _sendLength;
    private readonly byte[] _receiveBuffer = ArrayPool<byte>.Shared.Rent(2 * (2 + MaxFrameLength));
    private readonly byte[] _plaintext = ArrayPool<byte>.Shared.Rent(MaxPlaintextLength);
    private int _receiveStart, _receiveEnd;
    private int _plainStart, _plainEnd;
    private int _disposed;

    internal NoiseStream(Stream inner, CipherState sender, CipherState receiver)
    {
        _inner = inner;
        _sender = sender;
        _receiver = receiver;
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (_plainStart == _plainEnd)
        {
            if (!await ReadFrameAsync(cancellationToken).ConfigureAwait(false)) return 0;
        }
        var n = Math.Min(buffer.Length, _plainEnd - _plainStart);
        _plaintext.AsSpan(_plainStart, n).CopyTo(buffer.Span);
        _plainStart += n;
        return n;
    }

    /// <summary>Reads and decrypts the next frame into the plaintext buffer; false at a clean end of stream.</summary>
    private async ValueTask<bool> ReadFrameAsync(CancellationToken ct)
    {
        if (!await FillAsync(2, ct).ConfigureAwait(false))
        {
            if (_receiveEnd == _receiveStart) return false;
            throw new ProtocolViolationException("connection ended inside a noise frame header");
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(_receiveBuffer.AsSpan(_receiveStart));
        if (length < CipherState.TagSize) throw new ProtocolViolationException($"noise frame of {length} bytes is shorter than its tag");
        if (!await FillAsync(2 + length, ct).ConfigureAwait(false))
            throw new ProtocolViolationException("connection ended inside a noise frame");
        _receiver.Decrypt([], _receiveBuffer.AsSpan(_receiveStart + 2, length), _plaintext);
        _receiveStart += 2 + length;
        _plainStart = 0;
        _plainEnd = length - CipherState.TagSize;
        return true;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available in the receive buffer, reading as much as the socket has.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken ct)
    {
        if (_receiveEnd - _receiveStart >= count) return true;
        if (_receiveBuffer.Length - _receiveStart < count)
        {
            Buffer.BlockCopy(_receiveBuffer, _receiveStart, _receiveBuffer, 0, _receiveEnd - _receiveStart);
            _receiveEnd -= _receiveStart;
            _receiveStart = 0;
        }
        while (_receiveEnd - _receiveStart < count)
        {
            var n = await _inner.ReadAsync(_receiveBuffer.AsMemory(_receiveEnd), ct).ConfigureAwait(false);
            if (n == 0) return false;
            _receiveEnd += n;
        }
        return true;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var chunk = Math.Min(buffer.Length, MaxPlaintextLength);
            var frameLength = chunk + CipherState.TagSize;
            if (_sendLength + 2 + frameLength > SendBatchSize) await SendBatchAsync(cancellationToken).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt16BigEndian(_sendBuffer.AsSpan(_sendLength), (ushort)frameLength);
            _sender.Encrypt([], buffer.Span[..chunk], _sendBuffer.AsSpan(_sendLength + 2, frameLength));
            _sendLength += 2 + frameLength;
            buffer = buffer[chunk..];
        }
    }

    private async ValueTask SendBatchAsync(CancellationToken ct)
    {
        if (_sendLength == 0) return;
        var length = _sendLength;
        _sendLength = 0;
        await _inner.WriteAsync(_sendBuffer.AsMemory(0, length), ct).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendBatchAsync(cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && disposing)
        {
            _inner.Dispose();
            _sender.Dispose();
            _receiver.Dispose();
            // The pooled buffers are not returned: a read or write may still be in flight on another thread while
            // the connection is torn down, and handing the array to someone else then would corrupt their data.
        }
        base.Dispose(disposing);
    }
}
