using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using ChainPhase = SwarmFL.Chain.Contracts.RoundPhase;
using RoundPhase = SwarmFL.Swarm.Rounds.RoundPhase;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The round protocol's coordinator port over the deployed SwarmCoordinator contract. The node keeps one view of the
/// chain per block: the first step at a block reads everything it needs at that block in one JSON-RPC batch, and
/// further steps, leader look-ups and event queries inside the same block are answered from that view.
/// </summary>
/// <param name="followedHead">
/// The newest block, kept current by a follower (new-heads subscription or poll). Without one, each snapshot first asks
/// for the block number.
/// </param>
public sealed class ChainCoordinator(SwarmCoordinator contract, EthereumAddress self, ChainClock? clock = null, ChainHead? followedHead = null,
    ulong confirmations = 0)
    : ISwarmCoordinator
{
    private readonly SwarmEventLog _events = new(contract, confirmations);
    private readonly ChainHead _head = followedHead ?? new ChainHead();
    private ChainView? _view;

    /// <summary>What this node read at one block.</summary>
    private sealed record ChainView(ulong Block, RoundSnapshot Snapshot, ClusterRoundState? MyClusterState, MergeVotes? MyClusterVotes = null);

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
        ContentId.FromDigest(config.GenesisModel),
        TimeSpan.FromSeconds(rules.ObjectionWindowSeconds));

    /// <summary>
    /// The round as this node sees it at the newest block. Reads that depend on the round or the cluster are asked
    /// with the previous view's round and cluster in the same batch; only when those changed (a new round) does a
    /// second, smaller batch follow.
    /// </summary>
    public async Task<RoundSnapshot> GetRoundAsync(CancellationToken ct)
    {
        var block = await HeadAsync(ct);
        if (_view is { } known && known.Block == block) return known.Snapshot;
        var view = await ReadViewAsync(block, _view, ct);
        _view = view;
        return view.Snapshot;
    }

    private async Task<ulong> HeadAsync(CancellationToken ct)
    {
        if (followedHead?.Number is { } followed) return followed;
        _head.Advance(await contract.Eth.BlockNumberAsync(ct));
        return _head.Number!.Value;
    }

    private async Task<ChainView> ReadViewAsync(ulong block, ChainView? previous, CancellationToken ct)
    {
        var at = contract.At(block);
        var guessRound = previous?.Snapshot.Round;
        var guessCluster = previous?.Snapshot.MyCluster;
        var wantState = previous?.Snapshot is { } p && (p.Phase is RoundPhase.Merge or RoundPhase.SemiGlobal or RoundPhase.Election || p is { Phase: RoundPhase.Commit, IHaveCommitted: true });
        Task<BlockHeader?> header;
        Task<ulong> currentRound;
        Task<bool> isMember;
        Task<uint?> clusterOf;
        Task<IReadOnlyList<SwarmEvent>> events;
        Task<ulong> electionBlock;
        Task<RoundInfo>? guessedInfo = null;
        Task<byte[]>? guessedBase = null;
        Task<ClusterRoundState>? guessedState = null;
        Task<MergeVotes>? guessedVotes = null;
        var wantVotes = previous?.Snapshot.Phase is RoundPhase.Merge or RoundPhase.SemiGlobal;
        using (var batch = contract.Eth.Rpc.BeginBatch())
        {
            header = contract.Eth.GetBlockByNumberAsync(block, ct);
            currentRound = at.CurrentRoundAsync(ct);
            isMember = at.IsMemberAsync(self, ct);
            clusterOf = TryClusterOfAsync(at, ct);
            events = _events.RefreshToAsync(block, ct);
            electionBlock = at.ElectionBlockAsync(ct);
            if (guessRound is { } r) guessedInfo = at.RoundInfoAsync(r, ct);
            if (guessCluster is { } c)
            {
                guessedBase = at.BaseModelAsync((uint)c, ct);
                if (wantState && guessRound is { } sr) guessedState = at.ClusterStateAsync(sr, (uint)c, ct);
                if (wantVotes && guessRound is { } vr) guessedVotes = at.MergeVotesAsync(vr, (uint)c, ct);
            }
            await batch.SendAsync(ct);
        }
        var round = await currentRound;
        var sameRound = round == guessRound;
        var info = sameRound ? await OrNullAsync(guessedInfo) : null;
        var mineOrNull = await clusterOf;
        var sameCluster = sameRound && mineOrNull is { } m && (int)m == guessCluster;
        var baseDigest = sameCluster ? await OrNullAsync(guessedBase) : null;
        var state = sameCluster ? await OrNullAsync(guessedState) : null;
        var votes = sameCluster ? await OrNullAsync(guessedVotes) : null;
        if (info is null)
        {
            // A new round (or the first view): what depends on it comes in a second batch.
            Task<RoundInfo> freshInfo;
            Task<byte[]>? freshBase = null;
            using (var batch = contract.Eth.Rpc.BeginBatch())
            {
                freshInfo = at.RoundInfoAsync(round, ct);
                if (mineOrNull is { } mine) freshBase = at.BaseModelAsync(mine, ct);
                await batch.SendAsync(ct);
            }
            info = await freshInfo;
            baseDigest = await OrNullAsync(freshBase);
        }
        else if (!sameCluster && mineOrNull is { } mine)
        {
            baseDigest = await at.BaseModelAsync(mine, ct);
        }
        var member = info.Phase.HasClusters() && await isMember;
        int? cluster = member && mineOrNull is { } c2 ? (int)c2 : null;
        ContentId? baseModel = cluster is not null && baseDigest is { } d && d.Any(b => b != 0) ? ContentId.FromDigest(d) : null;
        var committed = member && (await events).OfType<ModelCommitted>().Any(e => e.Round == round && e.Member == self);
        if (await header is { } h) clock?.Observe(DateTimeOffset.FromUnixTimeSeconds((long)h.Timestamp));
        var snapshot = new RoundSnapshot(round, (RoundPhase)(byte)info.Phase, DateTimeOffset.FromUnixTimeSeconds((long)info.Deadline),
            (int)info.MemberCount, (int)info.Commits, (int)info.ClusterCount, cluster, baseModel, committed,
            info.Phase == ChainPhase.Election && await electionBlock is > 0 and var eb ? eb : null, block);
        return new ChainView(block, snapshot, cluster is null ? null : state, cluster is null ? null : votes);
    }

    /// <summary>A read made on a guess: its failure (a revert for a round that has ended) only means the guess was wrong.</summary>
    private static async Task<T?> OrNullAsync<T>(Task<T>? read) where T : class
    {
        if (read is null) return null;
        try { return await read; }
        catch (ChainRpcException) { return null; }
    }

    /// <summary>The contract reverts clusterOf for a non-member; asked before membership is known, that means "none".</summary>
    private async Task<uint?> TryClusterOfAsync(SwarmCoordinator at, CancellationToken ct)
    {
        try { return await at.ClusterOfAsync(self, ct); }
        catch (ContractRevertException) { return null; }
    }

    public async Task CommitAsync(ulong round, int cluster, ContentId model, ulong samples, uint metricPpm, CancellationToken ct) =>
        Wrote(await contract.CommitAsync(round, (uint)cluster, model.DigestBytes(), samples, metricPpm, ct));

    public Task<bool> TryCloseAsync(ulong round, CancellationToken ct) => RacingAsync(() => contract.CloseAsync(round, ct));

    public Task<bool> TryReplaceLeaderAsync(ulong round, int cluster, CancellationToken ct) =>
        RacingAsync(() => contract.ReplaceLeaderAsync(round, (uint)cluster, ct));

    public Task<bool> TryDrawLeadersAsync(ulong round, CancellationToken ct) => RacingAsync(() => contract.DrawLeadersAsync(round, ct));

    public Task<bool> TryContinueOpeningAsync(ulong round, CancellationToken ct) => RacingAsync(() => contract.ContinueOpeningAsync(round, ct));

    public Task<bool> TryObjectToMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct) =>
        RacingAsync(() => contract.ObjectToMergeAsync(round, (uint)cluster, leader, ct));

    public Task<bool> TrySupportMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct) =>
        RacingAsync(() => contract.SupportMergeAsync(round, (uint)cluster, leader, ct));

    public byte[] SignEndorsement(ulong round, int cluster, EthereumAddress leader) => contract.SignEndorsement(round, (uint)cluster, leader);

    public async Task<bool> TryEndorseMergeAsync(ulong round, int cluster, EthereumAddress leader,
        IReadOnlyCollection<KeyValuePair<EthereumAddress, byte[]>> endorsements, CancellationToken ct) =>
        await RacingAsync(() => contract.EndorseMergeAsync(round, (uint)cluster, leader, endorsements.Select(e => (e.Key, e.Value)), ct));

    public Task<bool> TrySettleContestedMergeAsync(ulong round, int cluster, CancellationToken ct) =>
        RacingAsync(() => contract.SettleContestedMergeAsync(round, (uint)cluster, ct));

    /// <summary>The own cluster's votes come from the block's view (read in its batch); other clusters' are read at the head.</summary>
    public async Task<ClusterVotes> GetMergeVotesAsync(ulong round, int cluster, CancellationToken ct)
    {
        var votes = _view is { } v && v.Block == _head.Number && v.Snapshot.Round == round && v.Snapshot.MyCluster == cluster && v.MyClusterVotes is { } known
            ? known
            : await contract.MergeVotesAsync(round, (uint)cluster, ct);
        return new ClusterVotes((int)votes.Objections, (int)votes.Supporters, (int)votes.ContestedInRound);
    }

    public async Task<DateTimeOffset?> GetObjectionDeadlineAsync(ulong round, CancellationToken ct)
    {
        var at = _view is { } v && v.Block == _head.Number && v.Snapshot.Round == round ? contract.At(v.Block) : contract;
        var deadline = await at.ObjectionDeadlineAsync(ct);
        return deadline == 0 ? null : DateTimeOffset.FromUnixTimeSeconds((long)deadline);
    }

    /// <summary>Our own transaction made a block: the next snapshot must see it, whether or not the follower has yet.</summary>
    private void Wrote(TransactionReceipt receipt) => _head.Advance(receipt.BlockNumber);

    public async Task<ClusterLeader?> GetLeaderAsync(ulong round, int cluster, CancellationToken ct)
    {
        ClusterRoundState state;
        try
        {
            var view = _view is { } v && v.Block == _head.Number ? v : null;
            var mine = view is not null && view.Snapshot.Round == round && view.Snapshot.MyCluster == cluster;
            if (mine && view!.MyClusterState is { } known) state = known;
            else
            {
                state = await (view is null ? contract : contract.At(view.Block)).ClusterStateAsync(round, (uint)cluster, ct);
                if (mine && _view == view) _view = view! with { MyClusterState = state };
            }
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
        (await EventsAsync(ct)).OfType<ModelCommitted>().Where(e => e.Round == round).Select(ToCommit).ToList();

    public async Task<IReadOnlyList<PublishedMerge>> GetMergesAsync(ulong round, CancellationToken ct)
    {
        var events = await EventsAsync(ct);
        return MergesOf(events, round).Where(m => !m.Voided).ToList();
    }

    public async Task<IReadOnlyList<PublishedSemiGlobal>> GetSemiGlobalsAsync(ulong round, CancellationToken ct) =>
        (await EventsAsync(ct)).OfType<SemiGlobalPublished>().Where(e => e.Round == round).Select(ToSemiGlobal).ToList();

    /// <summary>The events up to the newest known block: read once per block, never again.</summary>
    public Task<IReadOnlyList<SwarmEvent>> EventsAsync(CancellationToken ct) =>
        _head.Number is { } head && (followedHead is not null || _view?.Block == head) ? _events.RefreshToAsync(head, ct) : _events.RefreshAsync(ct);

    public async Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, IReadOnlyList<RecordedDrop> dropped, CancellationToken ct) =>
        Wrote(dropped.Count == 0
            ? await contract.PublishMergeAsync(round, (uint)cluster, model.DigestBytes(), inputs.Select(i => i.DigestBytes()), ct)
            : await contract.PublishMergeWithDropsAsync(round, (uint)cluster, model.DigestBytes(), inputs.Select(i => i.DigestBytes()),
                dropped.Select(d => (d.Id.DigestBytes(), (byte)d.Reason)).ToList(), ct));


    public async Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, CancellationToken ct) =>
        Wrote(await contract.PublishSemiGlobalAsync(round, (uint)cluster, model.DigestBytes(), ct));

    internal static CommittedModel ToCommit(ModelCommitted e) =>
        new(e.Round, (int)e.Cluster, e.Member, ContentId.FromDigest(e.ModelId), e.Samples, e.Metric);

    /// <summary>The round's published merges, voided ones included and marked: a MergeVoided names the round, cluster and
    /// leader, and a leader publishes at most one merge per cluster and round (a voided leader cannot lead again in it).</summary>
    internal static IEnumerable<PublishedMerge> MergesOf(IReadOnlyList<SwarmEvent> events, ulong round)
    {
        var drops = events.OfType<InputsDropped>().Where(e => e.Round == round).ToList();
        var voids = events.OfType<MergeVoided>().Where(e => e.Round == round).ToList();
        var endorsed = events.OfType<MergeEndorsed>().Where(e => e.Round == round).ToList();
        return events.OfType<MergePublished>().Where(e => e.Round == round)
            .Select(m => ToMerge(m, drops) with
            {
                Voided = voids.Any(v => v.Cluster == m.Cluster && v.Leader == m.Leader),
                Endorsed = endorsed.Any(e => e.Cluster == m.Cluster && e.Leader == m.Leader),
            });
    }

    /// <param name="drops">The round's InputsDropped events: the one of the same cluster and leader, emitted in the same
    /// transaction right after the merge, belongs to it.</param>
    internal static PublishedMerge ToMerge(MergePublished e, IEnumerable<InputsDropped> drops) =>
        new(e.Round, (int)e.Cluster, e.Leader, ContentId.FromDigest(e.ModelId), e.Inputs.Select(i => ContentId.FromDigest(i)).ToList(),
            drops.Where(d => d.Round == e.Round && d.Cluster == e.Cluster && d.Leader == e.Leader && d.Log.TransactionHash.AsSpan().SequenceEqual(e.Log.TransactionHash))
                .SelectMany(d => d.Dropped.Zip(d.Reasons, (id, reason) => new RecordedDrop(ContentId.FromDigest(id), (SwarmFL.Learning.Aggregation.RejectionReason)reason)))
                .ToList());

    internal static PublishedSemiGlobal ToSemiGlobal(SemiGlobalPublished e) =>
        new(e.Round, (int)e.Cluster, e.Leader, ContentId.FromDigest(e.ModelId));

    /// <summary>A revert means a peer got there first (or the moment has not come): the caller simply looks again.</summary>
    private async Task<bool> RacingAsync(Func<Task<TransactionReceipt>> send)
    {
        try
        {
            Wrote(await send());
            return true;
        }
        catch (ContractRevertException e)
        {
            Serilog.Log.ForContext<ChainCoordinator>().Debug("{Operation} refused: {Reason}", e.Operation, e.Message);
            return false;
        }
    }
}
