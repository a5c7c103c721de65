using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Contracts;

/// <summary>A whole round and the start of the next through the typed binding, on a real Hardhat node and on anvil.</summary>
public abstract class SwarmCoordinatorChainTests(ILocalChain chain)
{
    private sealed record Node(NodeKey Key, TransactionSender Sender, SwarmCoordinator Swarm);

    private static readonly SwarmConfig Config = new(
        MinPeers: 3, CommitWindowSeconds: 600, MergeTimeoutSeconds: 30, TargetClusterSize: 2, AllowlistOnly: false,
        ModelSpecHash: Keccak256.Hash("mnist-2nn"), GenesisModel: Keccak256.Hash("genesis"), Aggregation: AggregationStrategy.FedAvg);

    [Fact]
    public async Task RegisterCommitCloseMergeSemiGlobalAndReplaceThroughTheBinding()
    {
        using var eth = new EthClient(new JsonRpcClient(chain.RpcUrl));
        var creator = await TransactionSender.ConnectAsync(eth, NodeKey.FromHex(HardhatNode.Account0PrivateKey), HardhatNode.ChainId,
            SwarmCoordinatorAbi.Errors);
        var deployed = await SwarmCoordinator.DeployAsync(creator, Config);
        Assert.Equal(Config, await deployed.ConfigAsync(), new ConfigComparer());
        Assert.Equal(creator.Address, await deployed.CreatorAsync());
        Assert.Equal(RoundPhase.Waiting, await deployed.PhaseAsync());

        var nodes = new List<Node>();
        for (var i = 0; i < 4; i++)
        {
            var key = NodeKey.Generate();
            var sender = await TransactionSender.ConnectAsync(eth, key, HardhatNode.ChainId, SwarmCoordinatorAbi.Errors);
            nodes.Add(new Node(key, sender, await SwarmCoordinator.AttachAsync(eth, deployed.Address, sender, deployed.DeploymentBlock)));
        }
        foreach (var node in nodes) await node.Swarm.RegisterAsync($"/ip4/127.0.0.1/tcp/{4000 + nodes.IndexOf(node)}");

        // The third registration reached the quorum and opened round 1; the fourth joins from round 2.
        Assert.Equal(1UL, await deployed.CurrentRoundAsync());
        Assert.Equal(RoundPhase.Commit, await deployed.PhaseAsync());
        var members = await deployed.MembersAsync();
        Assert.Equal(3, members.Count);
        Assert.Equal(2U, await deployed.ClusterCountAsync());
        var info = await deployed.MemberInfoAsync(nodes[0].Key.Address);
        Assert.Equal(nodes[0].Key.PeerId, info.PeerId);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(info.PeerIdBytes), info.RingId);
        Assert.Equal("/ip4/127.0.0.1/tcp/4000", info.Multiaddr);

        var late = nodes[3];
        Assert.Equal(MemberStatus.Joining, await deployed.MemberStatusAsync(late.Key.Address));
        var notMember = await Assert.ThrowsAsync<ContractRevertException>(() => late.Swarm.CommitAsync(1, 0, Keccak256.Hash("m"), 10, 900_000));
        Assert.Equal($"commit reverted: NotMember(account: {late.Key.Address})", notMember.Message);
        var early = await Assert.ThrowsAsync<ContractRevertException>(() => late.Swarm.CloseAsync(1));
        Assert.Equal("CloseTooEarly", early.Reason.Name);

        var committed = new Dictionary<uint, List<byte[]>>();
        foreach (var node in nodes.Take(3))
        {
            var cluster = await node.Swarm.ClusterOfAsync(node.Key.Address);
            var modelId = Keccak256.Hash($"model-{node.Key.Address}");
            var receipt = await node.Swarm.CommitAsync(1, cluster, modelId, 600, 910_000);
            var ev = Assert.IsType<ModelCommitted>(Assert.Single(SwarmCoordinator.EventsIn(receipt)));
            Assert.Equal((1UL, cluster, node.Key.Address, 600UL, 910_000U), (ev.Round, ev.Cluster, ev.Member, ev.Samples, ev.Metric));
            Assert.Equal(modelId, ev.ModelId);
            (committed.TryGetValue(cluster, out var list) ? list : committed[cluster] = []).Add(modelId);
        }
        var twice = await Assert.ThrowsAsync<ContractRevertException>(() => nodes[0].Swarm.CommitAsync(1, 0, Keccak256.Hash("again"), 1, 1));
        Assert.Equal($"commit reverted: AlreadyCommitted(round: 1, member: {nodes[0].Key.Address})", twice.Message);

        // Sent without estimation, the same mistake is mined as a failed transaction; replaying it recovers the reason.
        var mined = await Assert.ThrowsAsync<ContractRevertException>(() => nodes[0].Sender.SendAndWaitAsync(new TransactionRequest(
            deployed.Address, SwarmCoordinatorAbi.Commit.EncodeCall(1UL, 0U, Keccak256.Hash("again"), 1UL, 1U), GasLimit: 300_000, Operation: "commit")));
        Assert.NotNull(mined.TransactionHash);
        Assert.False((await eth.GetTransactionReceiptAsync(mined.TransactionHash!))!.Succeeded);
        Assert.Equal(twice.Message, mined.Message);

        // Everyone committed, so anyone may close; the close fixes the election block (the next one), and once it is
        // mined over anyone draws one leader per cluster from its hash.
        var closeReceipt = await late.Swarm.CloseAsync(1);
        var closedEvent = Assert.Single(SwarmCoordinator.EventsIn(closeReceipt).OfType<RoundClosed>());
        Assert.Equal(closeReceipt.BlockNumber + 1, closedEvent.ElectionBlock);
        Assert.Equal(RoundPhase.Election, await deployed.PhaseAsync());
        Assert.Equal(closedEvent.ElectionBlock, await deployed.ElectionBlockAsync());
        await eth.MineAsync();
        var closed = SwarmCoordinator.EventsIn(await late.Swarm.DrawLeadersAsync(1)).ToArray();
        Assert.Equal(closedEvent.ElectionBlock, Assert.Single(closed.OfType<LeadersDrawn>()).ElectionBlock);
        var elected = closed.OfType<LeaderElected>().ToDictionary(e => e.Cluster, e => e.Leader);
        Assert.Equal(committed.Keys.Order(), elected.Keys.Order());
        Assert.Equal(RoundPhase.Merge, await deployed.PhaseAsync());

        Node NodeOf(EthereumAddress a) => nodes.Single(n => n.Key.Address == a);
        foreach (var (cluster, leader) in elected)
        {
            Assert.Equal(leader, (await deployed.LeaderOfAsync(1, cluster)).Leader);
            var outsider = nodes.Take(3).First(n => n.Key.Address != leader);
            var notLeader = await Assert.ThrowsAsync<ContractRevertException>(() =>
                outsider.Swarm.PublishMergeAsync(1, cluster, Keccak256.Hash("forged"), committed[cluster]));
            Assert.Equal("NotLeader", notLeader.Reason.Name);
            await NodeOf(leader).Swarm.PublishMergeAsync(1, cluster, Keccak256.Hash($"merged-{cluster}"), committed[cluster]);
        }
        Assert.Equal(RoundPhase.SemiGlobal, await deployed.PhaseAsync());
        // Semi-global models wait out the objection window (nobody objects here).
        await eth.IncreaseTimeAsync(AggregationRules.Default.ObjectionWindowSeconds);
        await eth.MineAsync();
        foreach (var (cluster, leader) in elected)
            await NodeOf(leader).Swarm.PublishSemiGlobalAsync(1, cluster, Keccak256.Hash($"semi-{cluster}"));

        // Round 2 opened in the last publication, with the late member.
        Assert.Equal(2UL, await deployed.CurrentRoundAsync());
        Assert.Equal(RoundPhase.Commit, await deployed.PhaseAsync());
        Assert.Equal(4, (await deployed.MembersAsync()).Count);
        var round2 = await deployed.RoundInfoAsync(2);
        Assert.Equal((4U, 2U, 0U, RoundPhase.Commit), (round2.MemberCount, round2.ClusterCount, round2.Commits, round2.Phase));

        // Round 2: everyone commits; a silent leader is replaced only after the merge timeout.
        foreach (var node in nodes)
            await node.Swarm.CommitAsync(2, await node.Swarm.ClusterOfAsync(node.Key.Address), Keccak256.Hash($"r2-{node.Key.Address}"), 5, 1);
        await late.Swarm.CloseAsync(2);
        await late.Swarm.DrawLeadersAsync(2); // mines the election block: nothing drawn yet
        var leader2 = SwarmCoordinator.EventsIn(await late.Swarm.DrawLeadersAsync(2)).OfType<LeaderElected>().First();
        var tooSoon = await Assert.ThrowsAsync<ContractRevertException>(() => late.Swarm.ReplaceLeaderAsync(2, leader2.Cluster));
        Assert.Equal("TimeoutNotReached", tooSoon.Reason.Name);
        await eth.IncreaseTimeAsync(Config.MergeTimeoutSeconds + 1);
        await eth.MineAsync();
        var replaced = Assert.Single(SwarmCoordinator.EventsIn(await late.Swarm.ReplaceLeaderAsync(2, leader2.Cluster)).OfType<LeaderReplaced>());
        Assert.Equal(leader2.Leader, replaced.FailedLeader);
        Assert.NotEqual(leader2.Leader, replaced.NextLeader);
        Assert.Equal(1U, await deployed.LeaderFailuresAsync(leader2.Leader));

        // The audit trail, read back through eth_getLogs.
        var history = await deployed.GetEventsAsync();
        Assert.IsType<SwarmCreated>(history[0]);
        Assert.Equal(4, history.OfType<MemberRegistered>().Count());
        Assert.Equal([1UL, 2UL], history.OfType<RoundOpened>().Select(e => e.Round));
        Assert.Equal(7, history.OfType<ModelCommitted>().Count());
        Assert.Equal(2, history.OfType<MergePublished>().Count());
        Assert.Equal(2, history.OfType<SemiGlobalPublished>().Count());
        Assert.Single(history.OfType<LeaderReplaced>());
        var round1 = await deployed.GetRoundEventsAsync(1);
        Assert.Equal(3, round1.OfType<ModelCommitted>().Count());
        Assert.All(round1.OfType<ModelCommitted>(), e => Assert.Equal(1UL, e.Round));
        Assert.Equal(4, (await deployed.GetRoundEventsAsync(2)).OfType<ModelCommitted>().Count());
        Assert.Empty(await deployed.GetRoundEventsAsync(3));

        // Following: catch up on history, then see an event sent after the follower started.
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var seen = new List<SwarmEvent>();
        var follower = Task.Run(async () =>
        {
            await foreach (var ev in deployed.FollowEventsAsync(pollInterval: TimeSpan.FromMilliseconds(100), ct: stop.Token))
            {
                seen.Add(ev);
                if (ev is LeadershipOptOutChanged) return;
            }
        });
        await nodes[1].Swarm.SetLeadershipOptOutAsync(true);
        await follower;
        Assert.Equal(history.Count + 1, seen.Count);
        Assert.Equal(nodes[1].Key.Address, Assert.IsType<LeadershipOptOutChanged>(seen[^1]).Member);

        await CompareEventDecodingWithEthers(eth, deployed);
    }

    /// <summary>Every log of the run, decoded by us and by ethers' Interface.parseLog, must agree value for value.</summary>
    private static async Task CompareEventDecodingWithEthers(EthClient eth, SwarmCoordinator swarm)
    {
        var logs = await eth.GetLogsAsync(new LogFilter(swarm.Address, [], swarm.DeploymentBlock, await eth.BlockNumberAsync()));
        Assert.True(logs.Count > 20);
        var input = string.Join("\n", logs.Select(l => new JsonObject
        {
            ["topics"] = new JsonArray(l.Topics.Select(t => (JsonNode)JsonValue.Create(Hex.Encode(t))!).ToArray()),
            ["data"] = Hex.Encode(l.Data),
        }.ToJsonString()));
        var artifact = Path.Combine(RepoPaths.Root, ContractArtifact.SwarmCoordinatorRelativePath);
        var answers = (await NodeScript.RunAsync("chain/ethers-parse-logs.mjs", [artifact], input)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(logs.Count, answers.Length);
        for (var i = 0; i < logs.Count; i++)
        {
            using var ethers = JsonDocument.Parse(answers[i]);
            var abi = SwarmCoordinatorAbi.AllEvents.Single(e => e.Matches(logs[i].Topics));
            Assert.Equal(ethers.RootElement.GetProperty("signature").GetString(), abi.Signature);
            var ours = new JsonArray(abi.Decode(logs[i].Topics, logs[i].Data).Select(AbiValueGenerator.ToEthersJson).ToArray()).ToJsonString();
            Assert.Equal(ethers.RootElement.GetProperty("args").GetRawText(), ours);
            Assert.NotNull(SwarmEventDecoder.TryDecode(logs[i]));
        }
    }

    private sealed class ConfigComparer : IEqualityComparer<SwarmConfig>
    {
        public bool Equals(SwarmConfig? a, SwarmConfig? b) =>
            a is not null && b is not null && a with { ModelSpecHash = [], GenesisModel = [] } == b with { ModelSpecHash = [], GenesisModel = [] }
            && a.ModelSpecHash.AsSpan().SequenceEqual(b.ModelSpecHash) && a.GenesisModel.AsSpan().SequenceEqual(b.GenesisModel);

        public int GetHashCode(SwarmConfig c) => 0;
    }
}

[Collection(HardhatCollection.Name)]
public sealed class SwarmCoordinatorHardhatTests(HardhatNode chain) : SwarmCoordinatorChainTests(chain);

[Collection(AnvilCollection.Name)]
public sealed class SwarmCoordinatorAnvilTests(AnvilNode chain) : SwarmCoordinatorChainTests(chain);
