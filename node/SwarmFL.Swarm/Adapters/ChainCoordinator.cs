using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using ChainPhase = SwarmFL.Chain.Contracts.RoundPhase;
using RoundPhase = SwarmFL.Swarm.Rounds.RoundPhase;

namespace SwarmFL.Swarm.Adapters;

/// <summary>The round protocol's coordinator port over the deployed SwarmCoordinator contract.</summary>
public sealed class ChainCoordinator(SwarmCoordinator contract, EthereumAddress self, ChainClock? clock = null, ulong confirmations = 0) : ISwarmCoordinator
{
    private readonly SwarmEventLog _events = new(contract, confirmations);

    public EthereumAddress Self => self;

    public async Task<SwarmRules> GetRulesAsync(CancellationToken ct) => ToRules(await contract.ConfigAsync(ct));

    public static SwarmRules ToRules(SwarmConfig config) => new(
        (int)config.MinPeers,
        TimeSpan.FromSeconds(config.CommitWindowSeconds),
        TimeSpan.FromSeconds(config.MergeTimeoutSeconds),
        (int)config.TargetClusterSize,
        AggregationNames.ToStrategy(config.Aggregation),
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

    public async Task<IReadOnlyList<PublishedMerge>> GetMergesAsync(ulong round, CancellationToken ct) =>
        (await _events.RefreshAsync(ct)).OfType<MergePublished>().Where(e => e.Round == round).Select(ToMerge).ToList();

    public async Task<IReadOnlyList<PublishedSemiGlobal>> GetSemiGlobalsAsync(ulong round, CancellationToken ct) =>
        (await _events.RefreshAsync(ct)).OfType<SemiGlobalPublished>().Where(e => e.Round == round).Select(ToSemiGlobal).ToList();

    public Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, CancellationToken ct) =>
        contract.PublishMergeAsync(round, (uint)cluster, model.DigestBytes(), inputs.Select(i => i.DigestBytes()), ct);

    public Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> clusterModels, CancellationToken ct) =>
        contract.PublishSemiGlobalAsync(round, (uint)cluster, model.DigestBytes(), clusterModels.Select(i => i.DigestBytes()), ct);

    internal static CommittedModel ToCommit(ModelCommitted e) =>
        new(e.Round, (int)e.Cluster, e.Member, ContentId.FromDigest(e.ModelId), e.Samples, e.Metric);

    internal static PublishedMerge ToMerge(MergePublished e) =>
        new(e.Round, (int)e.Cluster, e.Leader, ContentId.FromDigest(e.ModelId), e.Inputs.Select(i => ContentId.FromDigest(i)).ToList());

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
