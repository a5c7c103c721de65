using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using SwarmFL.Crypto.Multiformats;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub.Rpc;

/// <summary>
/// Pubsub RPCs travel as uvarint-length-prefixed protobuf frames on a long-lived stream per direction
/// (pubsub spec, "The RPC").
/// </summary>
public static class RpcCodec
{
    /// <summary>Decodes one RPC body. Never throws on bad input: garbage yields false and a reason.</summary>
    public static bool TryDecode(ReadOnlySequence<byte> body, [NotNullWhen(true)] out RPC? rpc, [NotNullWhen(false)] out string? error)
    {
        try
        {
            rpc = RPC.Parser.ParseFrom(body);
            error = null;
            return true;
        }
        catch (InvalidProtocolBufferException e)
        {
            rpc = null;
            error = $"malformed RPC: {e.Message}";
            return false;
        }
    }

    /// <summary>Size of the frame (prefix and body) that <see cref="WriteFrame"/> would write.</summary>
    public static int FrameSize(RPC rpc)
    {
        var body = rpc.CalculateSize();
        return UVarint.SizeOf((ulong)body) + body;
    }

    /// <summary>Appends <c>uvarint(len) ‖ body</c>; returns the body length.</summary>
    public static int WriteFrame(RPC rpc, IBufferWriter<byte> output)
    {
        var body = rpc.CalculateSize();
        var prefix = output.GetSpan(UVarint.MaxLength);
        output.Advance(UVarint.Write((ulong)body, prefix));
        rpc.WriteTo(output);
        return body;
    }

    public static byte[] EncodeFrame(RPC rpc)
    {
        var buffer = new ArrayBufferWriter<byte>(FrameSize(rpc));
        WriteFrame(rpc, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
