using SwarmFL.P2P.Framing;
using SwarmFL.P2P.MultistreamSelect;
using SwarmFL.P2P.Tests.Support;

namespace SwarmFL.P2P.Tests.Codecs;

public class MultistreamTests
{
    private static readonly string[] Supported = ["/b/1.0.0", "/c/1.0.0"];

    [Fact]
    public async Task Initiator_falls_back_after_na_to_a_supported_protocol()
    {
        using var pair = await SocketPair.CreateAsync();
        var ct = TestHosts.Timeout();
        var responder = Multistream.NegotiateAsync(pair.Right, Supported, ct);
        var chosen = await Multistream.SelectAsync(pair.Left, ["/a/1.0.0", "/c/1.0.0"], ct);
        Assert.Equal("/c/1.0.0", chosen);
        Assert.Equal("/c/1.0.0", await responder);
    }

    [Fact]
    public async Task No_common_protocol_is_reported()
    {
        using var pair = await SocketPair.CreateAsync();
        var ct = TestHosts.Timeout();
        _ = Multistream.NegotiateAsync(pair.Right, Supported, ct);
        var error = await Assert.ThrowsAsync<ProtocolNotSupportedException>(() => Multistream.SelectAsync(pair.Left, ["/x/1", "/y/1"], ct));
        Assert.Equal(["/x/1", "/y/1"], error.Protocols);
    }

    [Fact]
    public async Task Ls_lists_the_responders_protocols()
    {
        using var pair = await SocketPair.CreateAsync();
        var ct = TestHosts.Timeout();
        _ = Multistream.NegotiateAsync(pair.Right, Supported, ct);
        Assert.Equal(Supported, await Multistream.ListAsync(pair.Left, ct));
    }

    [Fact]
    public async Task Garbage_header_and_oversized_lines_are_protocol_violations()
    {
        var ct = TestHosts.Timeout();
        using (var pair = await SocketPair.CreateAsync())
        {
            var responder = Multistream.NegotiateAsync(pair.Right, Supported, ct);
            await pair.Left.WriteAsync("\u0013/not-multistream/1\n"u8.ToArray(), ct);
            await Assert.ThrowsAsync<ProtocolViolationException>(() => responder);
        }
        using (var pair = await SocketPair.CreateAsync())
        {
            var responder = Multistream.NegotiateAsync(pair.Right, Supported, ct);
            await pair.Left.WriteAsync(Crypto.Multiformats.UVarint.Encode(100_000), ct);
            Assert.Contains("exceeds", (await Assert.ThrowsAsync<ProtocolViolationException>(() => responder)).Message);
        }
        using (var pair = await SocketPair.CreateAsync())
        {
            var responder = Multistream.NegotiateAsync(pair.Right, Supported, ct);
            await pair.Left.WriteAsync(new byte[] { 3, (byte)'a', (byte)'b', (byte)'c' }, ct); // no trailing newline
            Assert.Contains("newline", (await Assert.ThrowsAsync<ProtocolViolationException>(() => responder)).Message);
        }
    }
}
