using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using SwarmFL.Crypto.Multiformats;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.PubSub.Rpc;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.Tests.PubSub;

public class RpcCodecTests
{
    private const int Limit = 1 << 20;

    private static RPC FullRpc() => new()
    {
        Subscriptions =
        {
            new RPC.Types.SubOpts { Subscribe = true, Topicid = "models" },
            new RPC.Types.SubOpts { Subscribe = false, Topicid = "old" },
        },
        Publish =
        {
            new Message
            {
                From = ByteString.CopyFrom(1, 2, 3), Data = ByteString.CopyFromUtf8("hello"), Seqno = ByteString.CopyFrom(0, 0, 0, 0, 0, 0, 0, 7),
                Topic = "models", Signature = ByteString.CopyFrom(9, 9), Key = ByteString.CopyFrom(4),
            },
        },
        Control = new ControlMessage
        {
            Ihave = { new ControlIHave { TopicID = "models", MessageIDs = { ByteString.CopyFrom(1), ByteString.CopyFrom(2) } } },
            Iwant = { new ControlIWant { MessageIDs = { ByteString.CopyFrom(3) } } },
            Graft = { new ControlGraft { TopicID = "models" } },
            Prune = { new ControlPrune { TopicID = "old", Backoff = 60, Peers = { new PeerInfo { PeerID = ByteString.CopyFrom(5) } } } },
        },
    };

    private static async Task<List<RpcFrame>> ReadAllAsync(byte[] bytes, int limit = Limit)
    {
        await using var reader = new RpcFrameReader(new MemoryStream(bytes), limit);
        var frames = new List<RpcFrame>();
        while (true)
        {
            var frame = await reader.ReadAsync(CancellationToken.None);
            frames.Add(frame);
            if (frame.Kind is RpcFrameKind.End or RpcFrameKind.Fatal) return frames;
        }
    }

    [Fact]
    public async Task Every_field_survives_a_framed_round_trip()
    {
        var rpc = FullRpc();
        var frames = await ReadAllAsync([.. RpcCodec.EncodeFrame(rpc), .. RpcCodec.EncodeFrame(new RPC()), .. RpcCodec.EncodeFrame(rpc)]);
        Assert.Equal([RpcFrameKind.Rpc, RpcFrameKind.Rpc, RpcFrameKind.Rpc, RpcFrameKind.End], frames.Select(f => f.Kind));
        Assert.Equal(rpc, frames[0].Rpc);
        Assert.Equal(new RPC(), frames[1].Rpc);
        Assert.Equal(rpc, frames[2].Rpc);
    }

    [Fact]
    public void The_frame_prefix_is_the_uvarint_body_length()
    {
        var rpc = FullRpc();
        var frame = RpcCodec.EncodeFrame(rpc);
        var length = UVarint.Read(frame, out var consumed);
        Assert.Equal((ulong)rpc.CalculateSize(), length);
        Assert.Equal(frame.Length, consumed + (int)length);
    }

    [Fact]
    public void Present_but_empty_data_is_kept_so_signed_bytes_do_not_change()
    {
        var message = new Message { From = ByteString.CopyFrom(1), Data = ByteString.Empty, Seqno = ByteString.CopyFrom(new byte[8]), Topic = "t" };
        var decoded = Message.Parser.ParseFrom(message.ToByteArray());
        Assert.True(decoded.HasData);
        Assert.Equal(message.ToByteArray(), decoded.ToByteArray());
        Assert.False(Message.Parser.ParseFrom(new Message { Topic = "t" }.ToByteArray()).HasData);
    }

    [Fact]
    public async Task An_oversized_frame_is_skipped_and_the_stream_stays_usable()
    {
        var big = new RPC { Publish = { new Message { Topic = "t", Data = ByteString.CopyFrom(new byte[Limit + 10]) } } };
        var frames = await ReadAllAsync([.. RpcCodec.EncodeFrame(big), .. RpcCodec.EncodeFrame(FullRpc())]);
        Assert.Equal([RpcFrameKind.Oversized, RpcFrameKind.Rpc, RpcFrameKind.End], frames.Select(f => f.Kind));
        Assert.Contains("exceeds", frames[0].Error);
        Assert.Equal(FullRpc(), frames[1].Rpc);
    }

    [Fact]
    public async Task An_absurd_length_ends_the_stream_without_reading_it()
    {
        var prefix = UVarint.Encode((ulong)Limit * RpcFrameReader.DrainFactor + 1);
        var frames = await ReadAllAsync([.. prefix, 1, 2, 3]);
        Assert.Equal(RpcFrameKind.Fatal, Assert.Single(frames).Kind);
    }

    [Fact]
    public async Task Malformed_bodies_are_reported_and_reading_continues()
    {
        byte[] garbage = [0x0A, 0x05, 0x01]; // field 1, length 5, but only one byte follows inside the frame
        var frames = await ReadAllAsync([(byte)garbage.Length, .. garbage, .. RpcCodec.EncodeFrame(FullRpc())]);
        Assert.Equal([RpcFrameKind.Malformed, RpcFrameKind.Rpc, RpcFrameKind.End], frames.Select(f => f.Kind));
        Assert.StartsWith("malformed RPC", frames[0].Error);
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]                   // prefix cut short
    [InlineData(new byte[] { 0x05, 0x0A, 0x00 })]       // body cut short
    [InlineData(new byte[] { 0x80, 0x00 })]             // non-minimal varint
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // longer than 9 bytes
    public async Task Broken_framing_is_fatal_for_the_stream(byte[] bytes)
    {
        var frames = await ReadAllAsync(bytes);
        Assert.Equal(RpcFrameKind.Fatal, frames[^1].Kind);
        Assert.False(string.IsNullOrEmpty(frames[^1].Error));
    }

    [Property(MaxTest = 500)]
    public bool Decoding_garbage_never_throws(byte[] body) =>
        RpcCodec.TryDecode(new ReadOnlySequence<byte>(body), out var rpc, out var error) ? rpc is not null && error is null : rpc is null && error!.StartsWith("malformed RPC");

    [Property(MaxTest = 300)]
    public void Reading_garbage_streams_never_throws(byte[] bytes)
    {
        var frames = ReadAllAsync(bytes, limit: 64).GetAwaiter().GetResult();
        Assert.Contains(frames[^1].Kind, new[] { RpcFrameKind.End, RpcFrameKind.Fatal });
    }

    [Property(MaxTest = 200)]
    public bool Generated_rpcs_round_trip(NonNull<string>[] topics, byte[][] payloads, bool subscribe, ulong backoff)
    {
        var rpc = new RPC();
        foreach (var topic in topics) rpc.Subscriptions.Add(new RPC.Types.SubOpts { Subscribe = subscribe, Topicid = topic.Get });
        foreach (var payload in payloads.Where(p => p is not null))
            rpc.Publish.Add(new Message { Data = ByteString.CopyFrom(payload), Seqno = ByteString.CopyFrom(payload.Take(8).ToArray()), Topic = topics.FirstOrDefault()?.Get ?? "" });
        if (topics.Length > 0)
            rpc.Control = new ControlMessage
            {
                Prune = { new ControlPrune { TopicID = topics[0].Get, Backoff = backoff } },
                Ihave = { new ControlIHave { TopicID = topics[^1].Get, MessageIDs = { payloads.Where(p => p is not null).Select(ByteString.CopyFrom) } } },
            };
        var frame = RpcCodec.EncodeFrame(rpc);
        var length = UVarint.Read(frame, out var consumed);
        return RpcCodec.TryDecode(new ReadOnlySequence<byte>(frame, consumed, (int)length), out var decoded, out _) && decoded.Equals(rpc);
    }

    [Fact]
    public void Message_ids_of_rpc_sized_unverified_fields_are_built_without_overflowing_the_stack()
    {
        // Ids are computed before StrictSign runs, so `from` and `key` can be as large as a whole RPC.
        var from = Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray();
        var seqno = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var message = new Message { From = ByteString.CopyFrom(from), Key = ByteString.CopyFrom(from), Seqno = ByteString.CopyFrom(seqno) };
        // A small stack, so that staging a 1 MiB id there would crash the test host rather than pass by luck.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Assert.Equal([.. from, .. seqno], MessageIdFunctions.FromAndSeqno(message)!.Value.ToBytes());
                Assert.Equal([.. from, .. seqno], MessageIdFunctions.PublicKeyAndSeqno(message)!.Value.ToBytes());
            }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }
}
