using System.Buffers.Binary;
using SwarmFL.P2P.Framing;

namespace SwarmFL.P2P.Yamux;

public enum YamuxFrameType : byte
{
    Data = 0,
    WindowUpdate = 1,
    Ping = 2,
    GoAway = 3,
}

[Flags]
public enum YamuxFlags : ushort
{
    None = 0,
    Syn = 1,
    Ack = 2,
    Fin = 4,
    Rst = 8,
}

/// <summary>Go-away codes: why a session ends.</summary>
public enum YamuxGoAwayCode : uint
{
    Normal = 0,
    ProtocolError = 1,
    InternalError = 2,
}

/// <summary>
/// The 12-byte yamux frame header (hashicorp/yamux spec.md): version (0), type, flags, stream id and length, all
/// big-endian. For Data the length counts the bytes that follow; for WindowUpdate it is the window delta; for Ping
/// an opaque value; for GoAway the error code.
/// </summary>
public readonly record struct YamuxHeader(YamuxFrameType Type, YamuxFlags Flags, uint StreamId, uint Length)
{
    public const int Size = 12;
    public const byte Version = 0;
    private const YamuxFlags KnownFlags = YamuxFlags.Syn | YamuxFlags.Ack | YamuxFlags.Fin | YamuxFlags.Rst;

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Length);
    }

    /// <summary>Parses a header; an unknown version, type or flag is a protocol violation.</summary>
    public static YamuxHeader Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size) throw new ProtocolViolationException("yamux header is truncated");
        if (source[0] != Version) throw new ProtocolViolationException($"unknown yamux version {source[0]}");
        var type = source[1];
        if (type > (byte)YamuxFrameType.GoAway) throw new ProtocolViolationException($"unknown yamux frame type {type}");
        var flags = (YamuxFlags)BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        if ((flags & ~KnownFlags) != 0) throw new ProtocolViolationException($"unknown yamux flags 0x{(ushort)flags:x}");
        return new YamuxHeader((YamuxFrameType)type, flags, BinaryPrimitives.ReadUInt32BigEndian(source[4..]), BinaryPrimitives.ReadUInt32BigEndian(source[8..]));
    }
}
