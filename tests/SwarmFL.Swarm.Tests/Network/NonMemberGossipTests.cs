using Google.Protobuf;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.PubSub.Rpc;
using SwarmFL.P2P.PubSub.Signing;
using SwarmFL.P2P.PubSub.Wire;
using SwarmFL.P2P.Resources;
using SwarmFL.Swarm.Network;
using SwarmFL.TestSupport;

namespace SwarmFL.Swarm.Tests.Network;

/// <summary>
/// A node's gossip path as `swarmfl node` composes it (a real libp2p host, gossipsub, the real member directory and
/// the swarm topic's validator) with its chain reads going through a counting JSON-RPC proxy in front of a real
/// Hardhat node. An outsider writes 10 000 signed announcements onto a real /meshsub stream: none is delivered, every
/// one is counted as refused, and the proxy sees no eth_call. One announcement by a registered member, sent the same
/// way, is delivered.
/// </summary>
public sealed class NonMemberGossipTests(HardhatNode chain, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<HardhatNode>
{
    private const int Messages = 10_000;
    private const int PerFrame = 1_000;

    [Fact]
    public async Task Ten_thousand_announcements_from_outsiders_cost_no_chain_call()
    {
        using var cap = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = cap.Token;
        var direct = new EthClient(new JsonRpcClient(chain.RpcUrl));
        var creator = await TransactionSender.ConnectAsync(direct, NodeKey.FromHex(HardhatNode.Account0PrivateKey), HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
        var config = new SwarmConfig(MinPeers: 2, CommitWindowSeconds: 600, MergeTimeoutSeconds: 300, TargetClusterSize: 2,
            AllowlistOnly: false, ModelSpecHash: new byte[32], GenesisModel: Enumerable.Repeat((byte)1, 32).ToArray(), Aggregation: AggregationStrategy.FedAvg);
        var deployed = await SwarmCoordinator.DeployAsync(creator, config, ct: ct);
        var member = NodeKey.Generate();
        var memberSender = await TransactionSender.ConnectAsync(direct, member, HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
        await (await SwarmCoordinator.AttachAsync(direct, deployed.Address, memberSender, ct: ct)).RegisterAsync($"/ip4/127.0.0.1/tcp/4001/p2p/{member.PeerId}", ct);

        await using var proxy = new CountingRpcProxy(chain.RpcUrl);
        var contract = await SwarmCoordinator.AttachAsync(new EthClient(new JsonRpcClient(proxy.Url)), deployed.Address, deploymentBlock: deployed.DeploymentBlock, ct: ct);
        await contract.ConfigAsync(ct);
        Assert.True(proxy.Count("eth_call") >= 1, "the proxy does not see the node's eth_calls");
        await using var members = new MemberDirectory(contract, [], Serilog.Log.Logger);
        await members.StartAsync(TimeSpan.FromMilliseconds(500), ct);
        Assert.True(members.IsMember(member.PeerId));
        // the address it registered is where a node that never met it dials it (without the /p2p/ part)
        Assert.Equal("/ip4/127.0.0.1/tcp/4001", members.RegisteredAddress(member.PeerId)?.ToString());
        Assert.Null(members.RegisteredAddress(NodeKey.Generate().PeerId));

        await using var node = new Libp2pHost(NodeKey.Generate(), new HostOptions { IdentifyOnConnect = false });
        node.Resources.Membership = members;
        var address = node.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        await using var gossip = node.StartGossipSub();
        var topic = GossipAnnouncer.TopicFor(deployed.Address);
        gossip.AddValidator(topic, MemberOnlyAnnouncements.Validator(members, node.Resources));
        var delivered = gossip.Subscribe(topic);
        var callsBefore = proxy.Count("eth_call");

        var outsiderKey = NodeKey.Generate();
        await using var outsider = new Libp2pHost(outsiderKey, new HostOptions { IdentifyOnConnect = false });
        var peer = await outsider.DialAsync(address, ct);
        await using var stream = await outsider.OpenStreamAsync(peer, [PubSubProtocols.GossipSubV11], ct);
        var subscribe = new RPC();
        subscribe.Subscriptions.Add(new RPC.Types.SubOpts { Subscribe = true, Topicid = topic });
        await stream.WriteAsync(RpcCodec.EncodeFrame(subscribe), ct);
        var signer = new NodeKeySigner(outsiderKey);
        for (var frame = 0; frame < Messages / PerFrame; frame++)
        {
            var rpc = new RPC();
            for (var i = 0; i < PerFrame; i++)
                rpc.Publish.Add(StrictSign.CreateSigned(signer, topic, Announcement(frame * PerFrame + i), (ulong)(frame * PerFrame + i + 1)));
            await stream.WriteAsync(RpcCodec.EncodeFrame(rpc), ct);
        }
        long Ignored() => node.Resources.Refusals.Get(RefusedKind.Message, RefusalReason.NonMemberMessage);
        async Task<long> Accounted() => Ignored() + (await gossip.GetStatsAsync()).ValidationsDropped;
        while (await Accounted() < Messages) await Task.Delay(100, ct);
        var outsiderCalls = proxy.Count("eth_call") - callsBefore;

        // A member's announcement, relayed over the same stream: the validator lets it through.
        var fromMember = new RPC();
        fromMember.Publish.Add(StrictSign.CreateSigned(new NodeKeySigner(member), topic, Announcement(-1), 1));
        await stream.WriteAsync(RpcCodec.EncodeFrame(fromMember), ct);
        var first = await delivered.ReadAsync(ct);

        output.WriteLine($"{Messages} outsider announcements: {Ignored()} ignored by the validator, {(await gossip.GetStatsAsync()).ValidationsDropped} dropped by the full validation queue; " +
                         $"{outsiderCalls} eth_call meanwhile; all chain reads through the proxy: {string.Join(", ", proxy.Counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}");
        Assert.Equal(member.PeerId, first.From);
        Assert.Equal(0, outsiderCalls);
        Assert.False(delivered.TryRead(out var leaked), $"an outsider's message was delivered: {leaked?.From}");
        Assert.True(Ignored() > 0);
        Assert.Equal(Messages, await Accounted());
    }

    private static byte[] Announcement(int n)
    {
        var digest = new byte[32];
        BitConverter.TryWriteBytes(digest, n);
        return new SwarmFL.Swarm.Network.Messages.ModelAnnouncement { Kind = SwarmFL.Swarm.Network.Messages.ModelAnnouncement.Types.Kind.LocalUpdate, Round = 1, ModelDigest = ByteString.CopyFrom(digest), Samples = 10 }.ToByteArray();
    }
}
