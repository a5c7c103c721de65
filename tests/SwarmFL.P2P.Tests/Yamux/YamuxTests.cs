using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Tests.Support;
using SwarmFL.P2P.Yamux;

namespace SwarmFL.P2P.Tests.Yamux;

public class YamuxTests
{
    /// <summary>A hand-driven yamux peer: writes crafted frames and reads what the session answers.</summary>
    private sealed class RawPeer(Stream stream)
    {
        public Task SendAsync(YamuxHeader header, byte[]? data = null)
        {
            var frame = new byte[YamuxHeader.Size + (data?.Length ?? 0)];
            header.WriteTo(frame);
            data?.CopyTo(frame, YamuxHeader.Size);
            return stream.WriteAsync(frame).AsTask();
        }

        /// <summary>Reads frames (skipping data payloads) until one matches, or the session closes the connection.</summary>
        public async Task<YamuxHeader?> ReadUntilAsync(Func<YamuxHeader, bool> match, CancellationToken ct)
        {
            var header = new byte[YamuxHeader.Size];
            while (true)
            {
                try { await stream.ReadExactlyAsync(header, ct); }
                catch (EndOfStreamException) { return null; }
                catch (IOException) { return null; }
                var parsed = YamuxHeader.Parse(header);
                if (parsed.Type == YamuxFrameType.Data && parsed.Length > 0) await stream.ReadExactlyAsync(new byte[parsed.Length], ct);
                if (match(parsed)) return parsed;
            }
        }
    }

    private static async Task<(SocketPair Pair, YamuxSession Session, RawPeer Raw)> ServerWithRawClientAsync(YamuxOptions? options = null)
    {
        var pair = await SocketPair.CreateAsync();
        return (pair, new YamuxSession(pair.Right, isClient: false, options), new RawPeer(pair.Left));
    }

    private static async Task AssertGoAwayProtocolErrorAsync(YamuxSession session, RawPeer raw)
    {
        var ct = TestHosts.Timeout();
        var goAway = await raw.ReadUntilAsync(h => h.Type == YamuxFrameType.GoAway, ct);
        Assert.NotNull(goAway);
        Assert.Equal((uint)YamuxGoAwayCode.ProtocolError, goAway.Value.Length);
        await session.Completion.WaitAsync(ct);
        Assert.Equal(YamuxGoAwayCode.ProtocolError, session.LocalGoAway);
    }

    [Fact]
    public async Task Unknown_frame_type_leads_to_go_away()
    {
        var (pair, session, raw) = await ServerWithRawClientAsync();
        using var _ = pair;
        var frame = new byte[12];
        frame[1] = 7; // no such type
        await pair.Left.WriteAsync(frame);
        await AssertGoAwayProtocolErrorAsync(session, raw);
    }

    [Fact]
    public async Task Window_overrun_leads_to_go_away()
    {
        var (pair, session, raw) = await ServerWithRawClientAsync();
        using var _ = pair;
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0));
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.Data, YamuxFlags.None, 1, YamuxOptions.InitialWindow + 1), new byte[YamuxOptions.InitialWindow + 1]);
        await AssertGoAwayProtocolErrorAsync(session, raw);
    }

    [Fact]
    public async Task Stream_id_reuse_leads_to_go_away()
    {
        var (pair, session, raw) = await ServerWithRawClientAsync();
        using var _ = pair;
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 3, 0));
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 3, 0));
        await AssertGoAwayProtocolErrorAsync(session, raw);
    }

    [Fact]
    public async Task Syns_out_of_id_order_open_both_streams_but_an_id_seen_once_cannot_come_back()
    {
        var (pair, session, raw) = await ServerWithRawClientAsync();
        using var _ = pair;
        var ct = TestHosts.Timeout();
        // A remote that queues two opens out of order (go-yamux may): 5 before 3, both are streams.
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 5, 0));
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 3, 0));
        var first = await session.AcceptStreamAsync(ct);
        var second = await session.AcceptStreamAsync(ct);
        Assert.Equal([3u, 5u], new[] { first!.Id, second!.Id }.Order());
        Assert.Null(session.LocalGoAway);
        // 1 was skipped too and may still come once; 3 has been used and may not.
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0));
        Assert.Equal(1u, (await session.AcceptStreamAsync(ct))!.Id);
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, 3, 0));
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 3, 0));
        await AssertGoAwayProtocolErrorAsync(session, raw);
    }

    [Fact]
    public async Task Stream_id_of_the_wrong_parity_leads_to_go_away()
    {
        var (pair, session, raw) = await ServerWithRawClientAsync();
        using var _ = pair;
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.Data, YamuxFlags.Syn, 2, 0)); // even ids belong to the server
        await AssertGoAwayProtocolErrorAsync(session, raw);
    }

    [Fact]
    public async Task Flood_of_inbound_streams_is_capped_with_resets_and_the_session_survives()
    {
        var (pair, session, raw) = await ServerWithRawClientAsync(new YamuxOptions { MaxInboundStreams = 8 });
        using var _ = pair;
        var refused = 0;
        session.InboundStreamRefused += () => Interlocked.Increment(ref refused);
        var ct = TestHosts.Timeout();
        for (uint id = 1; id <= 2 * 20; id += 2)
            await raw.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, id, 0));
        var resets = 0;
        while (resets < 12)
        {
            var frame = await raw.ReadUntilAsync(h => (h.Flags & YamuxFlags.Rst) != 0, ct);
            Assert.NotNull(frame);
            Assert.True(frame.Value.StreamId > 2 * 8 - 1, $"stream {frame.Value.StreamId} should have been admitted");
            resets++;
        }
        await raw.SendAsync(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, 42));
        // The answer to our ping, not a ping of the session's own (it measures the round trip for its windows).
        var pong = await raw.ReadUntilAsync(h => h.Type == YamuxFrameType.Ping && (h.Flags & YamuxFlags.Ack) != 0, ct);
        Assert.Equal(42u, pong!.Value.Length);
        Assert.Equal(8, session.OpenStreamCount);
        Assert.False(session.IsClosed);
        Assert.Equal(12, Volatile.Read(ref refused)); // each reset was counted before the pong was read
    }

    [Fact]
    public async Task Garbage_in_place_of_frames_closes_the_session_without_crashing()
    {
        var (pair, session, raw) = await ServerWithRawClientAsync();
        using var _ = pair;
        await pair.Left.WriteAsync(RandomNumberGenerator.GetBytes(4096));
        await session.Completion.WaitAsync(TestHosts.Timeout());
        Assert.True(session.IsClosed);
    }

    private static async Task<(SocketPair, YamuxSession Client, YamuxSession Server)> SessionPairAsync(YamuxOptions? options = null)
    {
        var pair = await SocketPair.CreateAsync();
        return (pair, new YamuxSession(pair.Left, isClient: true, options), new YamuxSession(pair.Right, isClient: false, options));
    }

    [Fact]
    public async Task Writer_is_held_back_by_the_receive_window_until_the_reader_reads()
    {
        var (pair, client, server) = await SessionPairAsync();
        using var _ = pair;
        var ct = TestHosts.Timeout();
        var outbound = client.OpenStream();
        var data = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var write = outbound.WriteAsync(data, ct).AsTask();
        var inbound = (await server.AcceptStreamAsync(ct))!;
        // Nobody reads yet: the writer cannot get past the 256 KiB window, however long we wait.
        await Task.WhenAny(write, Task.Delay(500, ct));
        Assert.False(write.IsCompleted);

        var received = new byte[data.Length];
        await inbound.ReadExactlyAsync(received, ct);
        await write;
        Assert.Equal(data, received);
        await client.DisposeAsync();
        await server.Completion.WaitAsync(ct);
        Assert.Equal(YamuxGoAwayCode.Normal, server.RemoteGoAway);
    }

    [Fact]
    public async Task Half_close_reset_and_ping()
    {
        var (pair, client, server) = await SessionPairAsync();
        using var _ = pair;
        var ct = TestHosts.Timeout();

        Assert.True(await client.PingAsync(ct) > TimeSpan.Zero);

        var a = client.OpenStream();
        await a.WriteAsync("question"u8.ToArray(), ct);
        await a.CloseWriteAsync();
        var b = (await server.AcceptStreamAsync(ct))!;
        using var question = new MemoryStream();
        await b.CopyToAsync(question, ct); // ends at the FIN
        Assert.Equal("question"u8.ToArray(), question.ToArray());
        await b.WriteAsync("answer"u8.ToArray(), ct); // our side is still open for writing
        await b.CloseWriteAsync();
        using var answer = new MemoryStream();
        await a.CopyToAsync(answer, ct);
        Assert.Equal("answer"u8.ToArray(), answer.ToArray());
        await Assert.ThrowsAsync<IOException>(() => a.WriteAsync(new byte[1], ct).AsTask());

        var c = client.OpenStream();
        await c.WriteAsync(new byte[1], ct);
        var d = (await server.AcceptStreamAsync(ct))!;
        await d.ReadExactlyAsync(new byte[1], ct);
        c.Reset();
        var error = await Assert.ThrowsAsync<IOException>(async () => await d.ReadAsync(new byte[10], ct));
        Assert.Contains("reset", error.Message);
        await Assert.ThrowsAsync<IOException>(() => c.WriteAsync(new byte[1], ct).AsTask());
    }

    private static Gen<YamuxHeader> HeaderGen() =>
        from type in Gen.Elements(YamuxFrameType.Data, YamuxFrameType.WindowUpdate, YamuxFrameType.Ping, YamuxFrameType.GoAway)
        from flags in Gen.Choose(0, 15)
        from id in ArbMap.Default.GeneratorFor<uint>()
        from length in ArbMap.Default.GeneratorFor<uint>()
        select new YamuxHeader(type, (YamuxFlags)flags, id, length);

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property Headers_round_trip() => Prop.ForAll(HeaderGen().ToArbitrary(), header =>
    {
        var bytes = new byte[YamuxHeader.Size];
        header.WriteTo(bytes);
        return YamuxHeader.Parse(bytes) == header;
    });

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public bool Random_headers_parse_or_are_violations(byte[] bytes)
    {
        try
        {
            var header = YamuxHeader.Parse(bytes);
            var again = new byte[YamuxHeader.Size];
            header.WriteTo(again);
            return again.AsSpan().SequenceEqual(bytes.AsSpan(0, YamuxHeader.Size));
        }
        catch (ProtocolViolationException)
        {
            return true;
        }
    }
}
