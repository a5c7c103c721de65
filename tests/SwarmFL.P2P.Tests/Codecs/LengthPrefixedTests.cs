using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Crypto.Multiformats;
using SwarmFL.P2P.Framing;

namespace SwarmFL.P2P.Tests.Codecs;

public class LengthPrefixedTests
{
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool Messages_round_trip(byte[][] messages)
    {
        using var buffer = new MemoryStream();
        foreach (var m in messages) LengthPrefixed.WriteAsync(buffer, m, default).AsTask().GetAwaiter().GetResult();
        buffer.Position = 0;
        foreach (var m in messages)
        {
            var read = LengthPrefixed.ReadAsync(buffer, 1 << 20, default).AsTask().GetAwaiter().GetResult();
            if (read is null || !read.AsSpan().SequenceEqual(m)) return false;
        }
        return LengthPrefixed.ReadAsync(buffer, 1 << 20, default).AsTask().GetAwaiter().GetResult() is null;
    }

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public bool Random_input_yields_messages_or_a_protocol_violation(byte[] bytes)
    {
        using var input = new MemoryStream(bytes);
        try
        {
            while (LengthPrefixed.ReadAsync(input, 64, default).AsTask().GetAwaiter().GetResult() is { } message)
                if (message.Length > 64) return false;
            return true;
        }
        catch (ProtocolViolationException)
        {
            return true;
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool Varints_round_trip_and_are_minimal(ulong value)
    {
        var value63 = value >> 1; // multiformats varints stop at 63 bits
        var encoded = UVarint.Encode(value63);
        return UVarint.Read(encoded, out var n) == value63 && n == encoded.Length && encoded.Length == UVarint.SizeOf(value63)
               && (encoded.Length == 1 || encoded[^1] != 0);
    }

    [Fact]
    public async Task Oversized_and_malformed_prefixes_are_refused()
    {
        var oversized = new MemoryStream(UVarint.Encode(1_000_001).Concat(new byte[10]).ToArray());
        Assert.Contains("exceeds the limit", (await Assert.ThrowsAsync<ProtocolViolationException>(() => LengthPrefixed.ReadAsync(oversized, 1_000_000, default).AsTask())).Message);

        var nonMinimal = new MemoryStream([0x81, 0x00]);
        Assert.Contains("minimal", (await Assert.ThrowsAsync<ProtocolViolationException>(() => LengthPrefixed.ReadAsync(nonMinimal, 100, default).AsTask())).Message);

        var endless = new MemoryStream(Enumerable.Repeat((byte)0xFF, 20).ToArray());
        await Assert.ThrowsAsync<ProtocolViolationException>(() => LengthPrefixed.ReadAsync(endless, int.MaxValue, default).AsTask());

        var truncated = new MemoryStream([0x05, 1, 2]);
        Assert.Contains("ended inside", (await Assert.ThrowsAsync<ProtocolViolationException>(() => LengthPrefixed.ReadAsync(truncated, 100, default).AsTask())).Message);
    }
}
