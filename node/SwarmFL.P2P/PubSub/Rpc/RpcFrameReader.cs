using System.Buffers;
using System.IO.Pipelines;
using SwarmFL.Crypto.Multiformats;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub.Rpc;

public enum RpcFrameKind
{
    /// <summary>A well-formed RPC.</summary>
    Rpc,

    /// <summary>The frame was intact but its body was not a valid RPC; the stream stays usable.</summary>
    Malformed,

    /// <summary>The frame exceeded the size limit and was skipped unread; the stream stays usable.</summary>
    Oversized,

    /// <summary>The stream is unusable (bad length prefix, truncated frame, absurd length); close it.</summary>
    Fatal,

    /// <summary>The peer closed the stream cleanly between frames.</summary>
    End,
}

public readonly record struct RpcFrame(RpcFrameKind Kind, RPC? Rpc = null, string? Error = null, ulong Length = 0);

/// <summary>
/// Reads length-prefixed RPC frames from a stream through a pipe, so frames are parsed from pooled buffers without
/// per-frame arrays. Oversized frames up to <c>DrainFactor ×</c> the limit are skipped so one bad frame does not cost the
/// connection; longer ones end the stream, since draining them would let a peer tie us up indefinitely.
/// </summary>
public sealed class RpcFrameReader : IAsyncDisposable
{
    public const int DrainFactor = 16;

    private readonly PipeReader _reader;
    private readonly int _maxRpcSize;

    public RpcFrameReader(Stream stream, int maxRpcSize)
    {
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _maxRpcSize = maxRpcSize;
    }

    public async ValueTask<RpcFrame> ReadAsync(CancellationToken cancellationToken)
    {
        ulong length;
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = TryReadLength(buffer, out length, out var prefixLength, out var error);
            if (status == LengthStatus.Done)
            {
                _reader.AdvanceTo(buffer.GetPosition(prefixLength));
                break;
            }
            if (status == LengthStatus.Invalid)
            {
                _reader.AdvanceTo(buffer.End);
                return new RpcFrame(RpcFrameKind.Fatal, Error: error);
            }
            if (result.IsCompleted)
            {
                var empty = buffer.IsEmpty;
                _reader.AdvanceTo(buffer.End);
                return empty ? new RpcFrame(RpcFrameKind.End) : new RpcFrame(RpcFrameKind.Fatal, Error: "stream ended inside a length prefix");
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }

        if (length > (ulong)_maxRpcSize)
        {
            if (length > (ulong)_maxRpcSize * DrainFactor)
                return new RpcFrame(RpcFrameKind.Fatal, Error: $"frame of {length} bytes is far beyond the {_maxRpcSize}-byte limit", Length: length);
            return await SkipAsync(length, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if ((ulong)buffer.Length >= length)
            {
                var body = buffer.Slice(0, (long)length);
                var frame = RpcCodec.TryDecode(body, out var rpc, out var error)
                    ? new RpcFrame(RpcFrameKind.Rpc, rpc, Length: length)
                    : new RpcFrame(RpcFrameKind.Malformed, Error: error, Length: length);
                _reader.AdvanceTo(body.End);
                return frame;
            }
            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.End);
                return new RpcFrame(RpcFrameKind.Fatal, Error: $"stream ended inside a frame of {length} bytes", Length: length);
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async ValueTask<RpcFrame> SkipAsync(ulong length, CancellationToken cancellationToken)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var take = (long)Math.Min(remaining, (ulong)buffer.Length);
            _reader.AdvanceTo(buffer.GetPosition(take));
            remaining -= (ulong)take;
            if (remaining > 0 && result.IsCompleted)
                return new RpcFrame(RpcFrameKind.Fatal, Error: $"stream ended inside an oversized frame of {length} bytes", Length: length);
        }
        return new RpcFrame(RpcFrameKind.Oversized, Error: $"frame of {length} bytes exceeds the {_maxRpcSize}-byte limit", Length: length);
    }

    private enum LengthStatus { Done, NeedMore, Invalid }

    private static LengthStatus TryReadLength(ReadOnlySequence<byte> buffer, out ulong length, out int consumed, out string? error)
    {
        Span<byte> head = stackalloc byte[UVarint.MaxLength];
        var available = (int)Math.Min(buffer.Length, UVarint.MaxLength);
        buffer.Slice(0, available).CopyTo(head);
        error = null;
        try
        {
            return UVarint.TryRead(head[..available], out length, out consumed) ? LengthStatus.Done : LengthStatus.NeedMore;
        }
        catch (FormatException e)
        {
            length = 0;
            consumed = 0;
            error = $"bad length prefix: {e.Message}";
            return LengthStatus.Invalid;
        }
    }

    public ValueTask DisposeAsync() => _reader.CompleteAsync();
}
