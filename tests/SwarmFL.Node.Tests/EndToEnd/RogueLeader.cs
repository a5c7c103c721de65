using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Tampering with a finished run the way a dishonest member could: after the nodes stopped, their operator plays one
/// more round with the members' own keys (taken from their data directories): every member commits the model it
/// trained last, the round closes, and the elected leader of a cluster with several committers publishes its own
/// model as the cluster's merge, listing the honest inputs. Everything it sends is valid to the contract; only an
/// audit that recomputes the merge can catch it.
/// </summary>
public static class RogueLeader
{
    public sealed record Forgery(ulong Round, int Cluster, EthereumAddress Leader, ContentId PublishedModel, IReadOnlyList<ContentId> Inputs);

    /// <summary>
    /// While the nodes run: the leader of a cluster of the round with two or more committers that has not merged yet
    /// publishes its own committed model as the merge, listing every input. Null when there is no such cluster; a
    /// ContractRevertException when its node got there first.
    /// </summary>
    /// <param name="coolingDown">Members that cannot lead this round: a cluster whose other committers are all among them
    /// would be skipped after the void, not redone, so it is not chosen.</param>
    /// <param name="dropOf">The drop an honest leader records for a member's commit (null: merged); without it every
    /// commit is listed as merged. With it, the forgery's lists are the honest ones and only the model is false.</param>
    public static async Task<Forgery?> ForgeLiveMergeAsync(IReadOnlyDictionary<EthereumAddress, SwarmCoordinator> members, ulong round,
        IReadOnlySet<EthereumAddress> coolingDown, CancellationToken ct, Func<EthereumAddress, RejectionReason?>? dropOf = null)
    {
        var anyone = members.Values.First();
        var events = await anyone.GetRoundEventsAsync(round, ct: ct);
        var commits = events.OfType<ModelCommitted>().ToList();
        foreach (var cluster in commits.Select(c => c.Cluster).Distinct().Where(c => commits.Count(x => x.Cluster == c) >= 2))
        {
            var state = await anyone.ClusterStateAsync(round, cluster, ct);
            if (state.Status != ClusterStatus.AwaitingMerge || !members.TryGetValue(state.Leader, out var leader)) continue;
            if (commits.Where(c => c.Cluster == cluster && c.Member != state.Leader).All(c => coolingDown.Contains(c.Member))) continue;
            var ofCluster = commits.Where(c => c.Cluster == cluster).ToList();
            var drops = ofCluster.Where(c => dropOf?.Invoke(c.Member) is not null).Select(c => (c.ModelId, Reason: (byte)dropOf!(c.Member)!.Value)).ToList();
            var inputs = ofCluster.Where(c => dropOf?.Invoke(c.Member) is null).Select(c => ContentId.FromDigest(c.ModelId)).ToList();
            var own = ContentId.FromDigest(commits.Single(c => c.Member == state.Leader).ModelId);
            await leader.PublishMergeWithDropsAsync(round, cluster, own.DigestBytes(), inputs.Select(i => i.DigestBytes()), drops, ct);
            return new Forgery(round, (int)cluster, state.Leader, own, inputs);
        }
        return null;
    }

    /// <summary>
    /// Races the elected leaders round after round, from <paramref name="fromRound"/> to <paramref name="lastRound"/>, until
    /// one forgery takes (see <see cref="ForgeLiveMergeAsync"/>); each round missed is told to <paramref name="missed"/>.
    /// </summary>
    /// <param name="drawn">Waits until the round's leaders are drawn (or a later round runs) and returns the current round.</param>
    /// <param name="coolingDown">The members that cannot lead in a round.</param>
    public static async Task<Forgery?> ForgeFirstLiveMergeAsync(IReadOnlyDictionary<EthereumAddress, SwarmCoordinator> members, ulong fromRound,
        ulong lastRound, Func<ulong, Task<ulong>> drawn, Func<ulong, IReadOnlySet<EthereumAddress>> coolingDown, Action<string> missed,
        CancellationToken ct, Func<EthereumAddress, RejectionReason?>? dropOf = null)
    {
        for (var round = fromRound; round <= lastRound; round++)
        {
            var current = await drawn(round);
            if (current != round)
            {
                missed($"round {round}: seen only once round {current} was running");
                continue;
            }
            try
            {
                if (await ForgeLiveMergeAsync(members, round, coolingDown(round), ct, dropOf) is { } forgery) return forgery;
                missed($"round {round}: no leader of a cluster with two committers was still merging");
            }
            catch (ContractRevertException e)
            {
                missed($"round {round}: the leader's node published first ({e.Reason.Name})");
            }
        }
        return null;
    }

    /// <summary>Every member's binding with its own key (from its data directory), ready to send.</summary>
    public static async Task<IReadOnlyDictionary<EthereumAddress, SwarmCoordinator>> ConnectMembersAsync(string rpcUrl, EthereumAddress contractAddress,
        IReadOnlyList<NodeProcess> nodes, CancellationToken ct)
    {
        var eth = new EthClient(new JsonRpcClient(rpcUrl));
        var members = new Dictionary<EthereumAddress, SwarmCoordinator>();
        foreach (var node in nodes)
        {
            var key = KeyFile.Load(Path.Combine(node.DataDirectory, "node.key"));
            var sender = await TransactionSender.ConnectAsync(eth, key, null, SwarmCoordinatorAbi.Errors, ct: ct);
            members[key.Address] = await SwarmCoordinator.AttachAsync(eth, contractAddress, sender, ct: ct);
        }
        return members;
    }

    public static async Task<Forgery> ForgeMergeAsync(string rpcUrl, EthereumAddress contractAddress, IReadOnlyList<NodeProcess> nodes, CancellationToken ct)
    {
        var eth = new EthClient(new JsonRpcClient(rpcUrl));
        var members = new Dictionary<EthereumAddress, (SwarmCoordinator Contract, NodeProcess Node)>();
        foreach (var node in nodes)
        {
            var key = KeyFile.Load(Path.Combine(node.DataDirectory, "node.key"));
            var sender = await TransactionSender.ConnectAsync(eth, key, null, SwarmCoordinatorAbi.Errors, ct: ct);
            members[key.Address] = (await SwarmCoordinator.AttachAsync(eth, contractAddress, sender, ct: ct), node);
        }
        var anyone = members.Values.First().Contract;
        var round = await anyone.CurrentRoundAsync(ct);
        var info = await anyone.RoundInfoAsync(round, ct);
        if (info.Phase != RoundPhase.Commit) throw new InvalidOperationException($"round {round} is in phase {info.Phase}; the nodes should have left it open");

        foreach (var account in await anyone.MembersAsync(ct))
        {
            var (contract, node) = members[account];
            var lastModel = node.ReadRounds().Last(r => r.LocalModel is not null).LocalModel!;
            var cluster = await contract.ClusterOfAsync(account, ct);
            await contract.CommitAsync(round, cluster, ContentId.Parse(lastModel).DigestBytes(), 100, 0, ct);
        }
        await anyone.CloseAsync(round, ct);
        await anyone.DrawLeadersAsync(round, ct); // mines the election block (Hardhat automines): nothing drawn yet
        await anyone.DrawLeadersAsync(round, ct);

        var events = await anyone.GetRoundEventsAsync(round, ct: ct);
        var commits = events.OfType<ModelCommitted>().ToList();
        var elected = events.OfType<LeaderElected>().First(e => commits.Count(c => c.Cluster == e.Cluster) >= 2);
        var inputs = commits.Where(c => c.Cluster == elected.Cluster).Select(c => ContentId.FromDigest(c.ModelId)).ToList();
        var own = ContentId.FromDigest(commits.Single(c => c.Member == elected.Leader).ModelId);
        await members[elected.Leader].Contract.PublishMergeAsync(round, elected.Cluster, own.DigestBytes(), inputs.Select(i => i.DigestBytes()), ct);
        return new Forgery(round, (int)elected.Cluster, elected.Leader, own, inputs);
    }
}
