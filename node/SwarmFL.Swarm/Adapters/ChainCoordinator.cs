using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using ChainPhase = SwarmFL.Chain.Contracts.RoundPhase;
using RoundPhase = SwarmFL.Swarm.Rounds.RoundPhase;

namespace SwarmFL.Swarm.Adapters;

/// <summary>The round protocol's coordinator port over the deployed SwarmCoordinator contract.</summary>
public sealed class ChainCoordinator(SwarmCoordinator contract, EthereumAddress self, ChainClock? clock = null) : ISwarmCoordinator
{
    private readonly SwarmEventLog _events = new(contract);

    public EthereumAddress Self => self;

    public async Task<SwarmRules> GetRulesAsync(CancellationToken ct)
    {
        var config = contract.ConfigAsync(ct);
        var rules = contract.AggregationRulesAsync(ct);
        return ToRules(await config, await rules);
    }

    public static SwarmRules ToRules(SwarmConfig config, AggregationRules rules) => new(
        (int)config.MinPeers,
        TimeSpan.FromSeconds(config.CommitWindowSeconds),
        TimeSpan.FromSeconds(config.MergeTimeoutSeconds),
        (int)config.TargetClusterSize,
        AggregationNames.PolicyOf(rules),
        ContentId.FromDigest(config.GenesisModel));

    /// <summary>
    /// Reads the round as this node sees it. The reads are independent, so they go out together: a step costs about two
    /// round trips to the chain node instead of eight, and the node runs a step on every new block.
    /// </summary>
    public async Task<RoundSnapshot> GetRoundAsync(CancellationToken ct)
    {
        var latestBlock = clock is null ? Task.FromResult<SwarmFL.Chain.Rpc.BlockHeader?>(null) : contract.Eth.GetBlockByNumberAsync("latest", ct);
        var events = _events.RefreshAsync(ct);
        var isMember = contract.IsMemberAsync(self, ct);
        var clusterOf = TryClusterOfAsync(ct);
        var (round, info) = await CurrentRoundInfoAsync(ct);
        var member = info.Phase != ChainPhase.Waiting && await isMember;
        int? cluster = member && await clusterOf is { } mine ? (int)mine : null;
        ContentId? baseModel = null;
        if (cluster is { } c)
        {
            var digest = await contract.BaseModelAsync((uint)c, ct);
            if (digest.Any(b => b != 0)) baseModel = ContentId.FromDigest(digest);
        }
        var committed = member && (await events).OfType<ModelCommitted>().Any(e => e.Round == round && e.Member == self);
        if (await latestBlock is { } block) clock!.Observe(DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp));
        return new RoundSnapshot(round, (RoundPhase)(byte)info.Phase, DateTimeOffset.FromUnixTimeSeconds((long)info.Deadline),
            (int)info.MemberCount, (int)info.Commits, (int)info.ClusterCount, cluster, baseModel, committed);
    }

    /// <summary>The current round and its state. The round may end between the two reads (roundInfo then reverts with
    /// WrongRound): then both are read again.</summary>
    private async Task<(ulong Round, RoundInfo Info)> CurrentRoundInfoAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var round = await contract.CurrentRoundAsync(ct);
            try
            {
                return (round, await contract.RoundInfoAsync(round, ct));
            }
            catch (ContractRevertException e) when (e.Reason.Name == "WrongRound" && attempt < 3) { }
        }
    }

    /// <summary>The contract reverts clusterOf for a non-member; asked before membership is known, that means "none".</summary>
    private async Task<uint?> TryClusterOfAsync(CancellationToken ct)
    {
        try { return await contract.ClusterOfAsync(self, ct); }
        catch (ContractRevertException) { return null; }
    }

    public Task CommitAsync(ulong round, int cluster, ContentId model, ulong samples, uint metricPpm, CancellationToken ct) =>
        contract.CommitAsync(round, (uint)cluster, model.DigestBytes(), samples, metricPpm, ct);

    public Task<bool> TryCloseAsync(ulong round, CancellationToken ct) => RacingAsync(() => contract.CloseAsync(round, ct));

    public Task<bool> TryReplaceLeaderAsync(ulong round, int cluster, CancellationToken ct) =>
        RacingAsync(() => contract.ReplaceLeaderAsync(round, (uint)cluster, ct));

    public async Task<ClusterLeader?> GetLeaderAsync(ulong round, int cluster, CancellationToken ct)
    {
        ClusterRoundState state;
        try
        {
            state = await contract.ClusterStateAsync(round, (uint)cluster, ct);
        }
        catch (ContractRevertException e) when (e.Reason.Name == "WrongRound")
        {
            // The round ended between this step's snapshot and this read (its last semi-global was just published): there
            // is no leader to wait for any more, and the next step sees the new round.
            return null;
        }
        if (state.Status is ClusterStatus.None or ClusterStatus.Skipped || state.Leader == EthereumAddress.Zero) return null;
        return new ClusterLeader(state.Leader, DateTimeOffset.FromUnixTimeSeconds((long)state.ElectedAt), (int)state.Attempt);
    }

    public async Task<IReadOnlyList<CommittedModel>> GetCommitsAsync(ulong round, CancellationToken ct) =>
        (await _events.RefreshAsync(ct)).OfType<ModelCommitted>().Where(e => e.Round == round).Select(ToCommit).ToList();

    public async Task<IReadOnlyList<PublishedMerge>> GetMergesAsync(ulong round, CancellationToken ct)
    {
        var events = await _events.RefreshAsync(ct);
        var drops = events.OfType<InputsDropped>().Where(e => e.Round == round).ToList();
        return events.OfType<MergePublished>().Where(e => e.Round == round).Select(m => ToMerge(m, drops)).ToList();
    }

    public async Task<IReadOnlyList<PublishedSemiGlobal>> GetSemiGlobalsAsync(ulong round, CancellationToken ct) =>
        (await _events.RefreshAsync(ct)).OfType<SemiGlobalPublished>().Where(e => e.Round == round).Select(ToSemiGlobal).ToList();

    public Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, IReadOnlyList<RecordedDrop> dropped, CancellationToken ct) =>
        dropped.Count == 0
            ? contract.PublishMergeAsync(round, (uint)cluster, model.DigestBytes(), inputs.Select(i => i.DigestBytes()), ct)
            : contract.PublishMergeWithDropsAsync(round, (uint)cluster, model.DigestBytes(), inputs.Select(i => i.DigestBytes()),
                dropped.Select(d => (d.Id.DigestBytes(), (byte)d.Reason)).ToList(), ct);

    public Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> clusterModels, CancellationToken ct) =>
        contract.PublishSemiGlobalAsync(round, (uint)cluster, model.DigestBytes(), clusterModels.Select(i => i.DigestBytes()), ct);

    internal static CommittedModel ToCommit(ModelCommitted e) =>
        new(e.Round, (int)e.Cluster, e.Member, ContentId.FromDigest(e.ModelId), e.Samples, e.Metric);

    /// <param name="drops">The round's InputsDropped events: the one of the same cluster and leader, emitted in the same
    /// transaction right after the merge, belongs to it.</param>
    internal static PublishedMerge ToMerge(MergePublished e, IEnumerable<InputsDropped> drops) =>
        new(e.Round, (int)e.Cluster, e.Leader, ContentId.FromDigest(e.ModelId), e.Inputs.Select(i => ContentId.FromDigest(i)).ToList(),
            drops.Where(d => d.Round == e.Round && d.Cluster == e.Cluster && d.Leader == e.Leader && d.Log.TransactionHash.AsSpan().SequenceEqual(e.Log.TransactionHash))
                .SelectMany(d => d.Dropped.Zip(d.Reasons, (id, reason) => new RecordedDrop(ContentId.FromDigest(id), (SwarmFL.Learning.Aggregation.RejectionReason)reason)))
                .ToList());

    internal static PublishedSemiGlobal ToSemiGlobal(SemiGlobalPublished e) =>
        new(e.Round, (int)e.Cluster, e.Leader, ContentId.FromDigest(e.ModelId), e.ClusterModels.Select(i => ContentId.FromDigest(i)).ToList());

    /// <summary>A revert means a peer got there first (or the moment has not come): the caller simply looks again.</summary>
    private static async Task<bool> RacingAsync(Func<Task> send)
    {
        try
        {
            await send();
            return true;
        }
        catch (ContractRevertException e)
        {
            Serilog.Log.ForContext<ChainCoordinator>().Debug("{Operation} refused: {Reason}", e.Operation, e.Message);
            return false;
        }
    }
}
