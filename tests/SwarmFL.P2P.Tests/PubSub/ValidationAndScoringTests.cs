using System.Text;
using Google.Protobuf;
using SwarmFL.Crypto.Multiformats;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.PubSub.Wire;
using SwarmFL.P2P.Tests.PubSub.Support;

namespace SwarmFL.P2P.Tests.PubSub;

public class ValidationAndScoringTests
{
    private static GossipSubOptions Manual() => new() { HeartbeatInterval = Timeout.InfiniteTimeSpan };

    /// <summary>A router R meshed with a router Y, and a raw peer X connected to R and subscribed.</summary>
    private static async Task<(TestSwarm Swarm, GossipSub R, GossipSub Y, RawPeer X, System.Threading.Channels.ChannelReader<PubSubMessage> AtR, System.Threading.Channels.ChannelReader<PubSubMessage> AtY)> SetUpAsync()
    {
        var swarm = new TestSwarm();
        var (r, y) = (swarm.AddNode(Manual()), swarm.AddNode(Manual()));
        swarm.Connect(r, y);
        var atR = r.Subscribe("t");
        var atY = y.Subscribe("t");
        var x = swarm.AddRawPeer();
        swarm.Network.Connect(r.LocalPeerId, x.PeerId);
        await x.OpenAsync(r.LocalPeerId);
        await x.SendAsync(RawPeer.Subscribe("t"));
        await Eventually.TrueAsync(async () => (await r.GetTopicPeersAsync("t")).Count == 2, "R knows Y's and X's subscriptions");
        await r.HeartbeatAsync();
        await Eventually.TrueAsync(async () => (await y.GetMeshPeersAsync("t")).Contains(r.LocalPeerId), "R and Y are meshed");
        return (swarm, r, y, x, atR, atY);
    }

    [Fact]
    public async Task A_bad_signature_is_rejected_not_forwarded_and_costs_the_sender_until_it_is_graylisted()
    {
        var (swarm, r, y, x, atR, atY) = await SetUpAsync();
        await using var owned = swarm;

        var forged = x.Sign("t", "forged"u8.ToArray(), 1);
        forged.Data = ByteString.CopyFromUtf8("altered after signing");
        await x.SendAsync(RawPeer.Publish(forged));
        await Eventually.TrueAsync(async () => (await r.GetStatsAsync()).Rejected == 1, "R rejects the forged message");
        Assert.Equal(-10, await r.GetPeerScoreAsync(x.PeerId));

        await x.SendAsync(RawPeer.Publish(x.Sign("t", "honest"u8.ToArray(), 2)));
        Assert.Equal("honest", Encoding.UTF8.GetString((await Eventually.ReadAsync(atR, "R delivers the valid message")).Data.Span));
        var relayed = await Eventually.ReadAsync(atY, "Y gets the valid message through R");
        Assert.Equal("honest", Encoding.UTF8.GetString(relayed.Data.Span)); // the first thing Y saw: the forgery never left R
        Assert.Equal(x.PeerId, relayed.From);

        for (var seqno = 3UL; seqno <= 4; seqno++)
        {
            var bad = x.Sign("t", "bad"u8.ToArray(), seqno);
            bad.Signature = ByteString.CopyFrom(new byte[70]);
            await x.SendAsync(RawPeer.Publish(bad));
        }
        await Eventually.TrueAsync(async () => (await r.GetStatsAsync()).Rejected == 3, "R rejects both");
        Assert.Equal(-90, await r.GetPeerScoreAsync(x.PeerId)); // 3 invalid messages: -10 * 3^2, below the -80 graylist

        await x.SendAsync(RawPeer.Publish(x.Sign("t", "too late"u8.ToArray(), 5)));
        await Eventually.TrueAsync(async () => (await r.GetStatsAsync()).GraylistedRpcs == 1, "R ignores the graylisted peer");
        Assert.False(atR.TryRead(out _));
        Assert.Equal(1, (await y.GetStatsAsync()).Accepted);
    }

    [Fact]
    public async Task A_peer_whose_score_turns_negative_is_pruned_from_the_mesh_and_cannot_graft_back()
    {
        var (swarm, r, _, x, _, _) = await SetUpAsync();
        await using var owned = swarm;
        await x.SendAsync(RawPeer.Graft("t"));
        await Eventually.TrueAsync(async () => (await r.GetMeshPeersAsync("t")).Contains(x.PeerId), "X is in R's mesh");

        var forged = x.Sign("t", "m"u8.ToArray(), 1);
        forged.Data = ByteString.CopyFromUtf8("changed");
        await x.SendAsync(RawPeer.Publish(forged));
        await Eventually.TrueAsync(async () => await r.GetPeerScoreAsync(x.PeerId) < 0, "X's score drops");

        await r.HeartbeatAsync();
        await x.WaitForAsync(rpc => rpc.Control?.Prune.Any(p => p.TopicID == "t") == true, "R prunes X at the heartbeat");
        Assert.DoesNotContain(x.PeerId, await r.GetMeshPeersAsync("t"));
        Assert.True(await r.IsBackingOffAsync("t", x.PeerId));
    }

    [Fact]
    public async Task Subscribing_after_dispose_completes_the_reader_with_an_error()
    {
        var (swarm, r, _, _, _, _) = await SetUpAsync();
        await swarm.DisposeAsync();
        var reader = r.Subscribe("late");
        var closed = await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await reader.ReadAsync());
        Assert.IsType<ObjectDisposedException>(closed.InnerException);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => r.PublishAsync("late", "x"u8.ToArray()));
    }

    [Fact]
    public async Task Validator_Reject_penalizes_the_forwarder_while_Ignore_only_drops()
    {
        await using var swarm = new TestSwarm();
        var (a, b, c) = (swarm.AddNode(Manual()), swarm.AddNode(Manual()), swarm.AddNode(Manual()));
        swarm.Connect(a, b);
        swarm.Connect(b, c);
        a.Subscribe("t");
        var atB = b.Subscribe("t");
        var atC = c.Subscribe("t");
        b.AddValidator("t", (message, _) => ValueTask.FromResult(Encoding.UTF8.GetString(message.Data.Span) switch
        {
            "reject" => ValidationResult.Reject,
            "ignore" => ValidationResult.Ignore,
            _ => ValidationResult.Accept,
        }));
        await Eventually.TrueAsync(async () => (await b.GetTopicPeersAsync("t")).Count == 2, "b knows both neighbours");
        await b.HeartbeatAsync();
        await Eventually.TrueAsync(async () => (await a.GetMeshPeersAsync("t")).Count == 1 && (await c.GetMeshPeersAsync("t")).Count == 1, "line meshed");

        await a.PublishAsync("t", "ignore"u8.ToArray());
        await Eventually.TrueAsync(async () => (await b.GetStatsAsync()).Ignored == 1, "b ignores");
        Assert.Equal(0, await b.GetPeerScoreAsync(a.LocalPeerId));

        await a.PublishAsync("t", "reject"u8.ToArray());
        await Eventually.TrueAsync(async () => (await b.GetStatsAsync()).Rejected == 1, "b rejects");
        Assert.Equal(-10, await b.GetPeerScoreAsync(a.LocalPeerId));

        await a.PublishAsync("t", "fine"u8.ToArray());
        Assert.Equal("fine", Encoding.UTF8.GetString((await Eventually.ReadAsync(atB, "b delivers")).Data.Span));
        Assert.Equal("fine", Encoding.UTF8.GetString((await Eventually.ReadAsync(atC, "c receives through b")).Data.Span));
        Assert.False(atB.TryRead(out _));
        Assert.Equal(0, (await c.GetStatsAsync()).Rejected + (await c.GetStatsAsync()).Ignored);
    }

    [Fact]
    public async Task A_throwing_validator_counts_as_Ignore()
    {
        var (swarm, r, _, x, atR, _) = await SetUpAsync();
        await using var _s = swarm;
        r.AddValidator("t", (_, _) => throw new InvalidOperationException("validator bug"));
        await x.SendAsync(RawPeer.Publish(x.Sign("t", "m"u8.ToArray(), 1)));
        await Eventually.TrueAsync(async () => (await r.GetStatsAsync()).Ignored == 1, "R ignores");
        Assert.Equal(0, await r.GetPeerScoreAsync(x.PeerId));
        Assert.False(atR.TryRead(out _));
    }

    [Fact]
    public async Task Oversized_and_malformed_frames_are_rejected_penalized_and_the_stream_survives()
    {
        var (swarm, r, _, x, atR, _) = await SetUpAsync();
        await using var _s = swarm;

        var huge = x.Sign("t", new byte[(1 << 20) + 1], 1);
        await x.SendAsync(RawPeer.Publish(huge));
        await Eventually.TrueAsync(async () => (await r.GetStatsAsync()).OversizedFrames == 1, "R skips the oversized frame");
        Assert.Equal(-10, await r.GetPeerScoreAsync(x.PeerId));

        await x.SendBytesAsync([3, 0x0A, 0x7F, 0x00]); // a frame whose field claims 127 bytes
        await Eventually.TrueAsync(async () => (await r.GetStatsAsync()).MalformedFrames == 1, "R reports the malformed frame");
        Assert.Equal(-40, await r.GetPeerScoreAsync(x.PeerId));

        await x.SendAsync(RawPeer.Publish(x.Sign("t", "still here"u8.ToArray(), 2)));
        Assert.Equal("still here", Encoding.UTF8.GetString((await Eventually.ReadAsync(atR, "a valid message on the same stream")).Data.Span));
    }

    [Fact]
    public async Task Publishing_more_than_the_size_limit_fails_clearly_and_just_below_works()
    {
        var (swarm, r, y, _, _, atY) = await SetUpAsync();
        await using var _s = swarm;
        var error = await Assert.ThrowsAsync<ArgumentException>(() => r.PublishAsync("t", new byte[1 << 20]));
        Assert.Contains("limit", error.Message);

        var almost = new byte[(1 << 20) - 400];
        Random.Shared.NextBytes(almost);
        await r.PublishAsync("t", almost);
        var received = await Eventually.ReadAsync(atY, "the largest allowed message");
        Assert.Equal(almost, received.Data.ToArray());
    }
}
