using System.Buffers;
using SwarmFL.Crypto.Multiformats;

namespace SwarmFL.P2P.Framing;

/// <summary>A message or frame broke the wire rules (too large, truncated, malformed). The connection or stream is dropped.</summary>
public class ProtocolViolationException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// unsigned-varint length-prefixed messages, the framing of multistream-select, identify and most libp2p protocols.
/// The varint is read byte by byte so nothing past the message is consumed from the stream.
/// </summary>
public static class LengthPrefixed
{
    /// <summary>Reads the length prefix; null at a clean end of stream before the first byte.</summary>
    public static async ValueTask<int?> ReadLengthAsync(Stream stream, int maxLength, CancellationToken ct)
    {
        var one = new byte[1];
        ulong value = 0;
        for (var i = 0; i < UVarint.MaxLength; i++)
        {
            var n = await stream.ReadAsync(one, ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (i == 0) return null;
                throw new ProtocolViolationException("stream ended inside a length prefix");
            }
            var b = one[0];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0) throw new ProtocolViolationException("length prefix is not a minimal varint");
                if (value > (ulong)maxLength) throw new ProtocolViolationException($"message of {value} bytes exceeds the limit of {maxLength}");
                return (int)value;
            }
            if (i >= 4) break; // 5 varint bytes already encode more than int.MaxValue
        }
        throw new ProtocolViolationException("length prefix is too long");
    }

    /// <summary>Reads one message into a new array; null at a clean end of stream.</summary>
    public static async ValueTask<byte[]?> ReadAsync(Stream stream, int maxLength, CancellationToken ct)
    {
        var length = await ReadLengthAsync(stream, maxLength, ct).ConfigureAwait(false);
        if (length is null) return null;
        var message = new byte[length.Value];
        await ReadExactlyAsync(stream, message, ct).ConfigureAwait(false);
        if (stream is Hosting.Libp2pStream counted) counted.CountMessageIn();
        return message;
    }

    public static async ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(UVarint.MaxLength + message.Length);
        try
        {
            var n = UVarint.Write((ulong)message.Length, buffer);
            message.Span.CopyTo(buffer.AsSpan(n));
            await stream.WriteAsync(buffer.AsMemory(0, n + message.Length), ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
            if (stream is Hosting.Libp2pStream counted) counted.CountMessageOut();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static async ValueTask ReadExactlyAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new ProtocolViolationException("stream ended inside a message", e);
        }
    }
}
