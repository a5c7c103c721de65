using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Storage;
using SwarmFL.Swarm.Verification;

namespace SwarmFL.Swarm.Rounds;

/// <summary>
/// One member's side of the round protocol, as a reconcile loop: each step reads the round from the chain and does
/// the one thing still missing for this node (train and commit, close, merge as leader, replace a stalled leader,
/// publish the semi-global model). Because every step starts from the chain's state, a node that restarts, falls
/// behind or races its peers converges instead of repeating or skipping work.
/// </summary>
public sealed class RoundDriver(
    ISwarmCoordinator chain,
    IModelExchange models,
    ILocalLearner learner,
    IMergeEngine merger,
    IModelAnnouncer announcer,
    NodeStateStore state,
    TimeProvider clock,
    Serilog.ILogger? log = null)
{
    /// <summary>How often a member repeats its endorsement of a merge the chain has not yet seen endorsed: gossip that
    /// reached the leader before its mesh formed (round 1) or while it was busy is not lost for the round.</summary>
    public static readonly TimeSpan EndorsementRepeat = TimeSpan.FromSeconds(2);

    /// <summary>How long a member waits for the election block to appear before it sends the transaction that makes it
    /// (on an automining chain no block comes otherwise; the closer sends it at once).</summary>
    public static readonly TimeSpan ElectionNudgeAfter = TimeSpan.FromSeconds(5);

    private readonly Serilog.ILogger _log = (log ?? Serilog.Log.Logger).ForContext<RoundDriver>();
    private SwarmRules? _rules;
    private ulong? _closedRound;
    private (ulong Round, DateTimeOffset Since)? _electionWait;
    // What this node concluded about published models: a merge check per (round, cluster, leader) (null: not checked,
    // by sampling or because its inputs were out of reach), and a verdict per base model it was offered.
    private readonly Dictionary<(ulong Round, int Cluster, EthereumAddress Leader), MergeVerdict?> _mergeChecks = [];
    private readonly HashSet<ContentId> _forgedMerges = [];
    private readonly HashSet<(ulong Round, int Cluster, EthereumAddress Leader)> _supported = [];
    private readonly HashSet<(ulong Round, int Cluster)> _handedIn = [];
    private readonly Dictionary<(ulong Round, int Cluster, EthereumAddress Leader), DateTimeOffset> _endorsedAt = [];
    private readonly Dictionary<ContentId, bool> _baseVerdicts = [];

    /// <summary>Which published merges this node recomputes before it adopts or lets them stand (default: all).</summary>
    public MergeSampling Sampling { get; init; } = MergeSampling.All;

    /// <summary>The endorsements of merges this node heard (the host fills it from gossip); as leader it hands them in.</summary>
    public EndorsementBoard Endorsements { get; init; } = new();

    /// <summary>Whether this node endorses the merges it recomputed and, as leader, hands in endorsements (each costs gas).</summary>
    public bool Endorse { get; init; } = true;

    /// <summary>The merges this node recomputed, found forged and objected to (for tests and the live view).</summary>
    public IReadOnlyCollection<ContentId> ForgedMerges => _forgedMerges;

    /// <summary>When set, the driver takes no part in rounds after this one (it only watches).</summary>
    public ulong? LastRound { get; init; }

    /// <summary>
    /// Called with every round snapshot the driver reads, before it acts on it: the host learns that a round has opened
    /// at the moment the driver does, so it can close its books on the previous round before the new round's work starts.
    /// </summary>
    public Action<RoundSnapshot>? Observed { get; init; }

    public NodeStatus Status { get; private set; } = new(0, RoundPhase.Commit, NodeRole.Observer, null, "starting", null, null, null);

    public async Task<StepResult> StepAsync(CancellationToken ct)
    {
        _rules ??= await chain.GetRulesAsync(ct);
        var rules = _rules;
        var round = await chain.GetRoundAsync(ct);
        Observed?.Invoke(round);
        if (round.Round > LastRound)
        {
            // The final model gets validated like every base model; with no commit to carry it, gossip alone reports it.
            if (round.IAmMember && round.MyBaseModel is { } final && state.Get(round.Round)?.BaseModel != final.ToString())
                await ValidateBaseAsync(round, final, ct);
            SetStatus(round, NodeRole.Observer, $"done: round {LastRound} has ended");
            return Wait(round, "past the last round");
        }
        if (round.Phase == RoundPhase.Waiting)
        {
            SetStatus(round, round.IAmMember ? NodeRole.Member : NodeRole.Observer, "waiting for enough members to register");
            return Wait(round, $"round {round.Round} waits for {rules.MinPeers} members");
        }
        if (round.Phase == RoundPhase.Opening) return await OpeningPhaseAsync(round, ct);
        if (!round.IAmMember)
        {
            SetStatus(round, NodeRole.Observer, "not a member of this round; membership applies from the next round");
            return Wait(round, "not a member of this round");
        }
        return round.Phase switch
        {
            RoundPhase.Commit => await CommitPhaseAsync(round, rules, ct),
            RoundPhase.Election => await ElectionPhaseAsync(round, ct),
            RoundPhase.Merge => await MergePhaseAsync(round, rules, ct),
            RoundPhase.SemiGlobal => await SemiGlobalPhaseAsync(round, rules, ct),
            _ => Wait(round, $"unknown phase {round.Phase}"),
        };
    }

    private async Task<StepResult> CommitPhaseAsync(RoundSnapshot round, SwarmRules rules, CancellationToken ct)
    {
        if (round.IHaveCommitted)
        {
            var now = clock.GetUtcNow();
            var allIn = round.Commits >= round.MemberCount;
            var quorumAfterDeadline = now >= round.Deadline && round.Commits >= rules.MinPeers;
            // After a second commit window the contract lets anyone close below quorum, so dead members cannot stall the swarm.
            var graceOver = now >= round.Deadline + rules.CommitWindow;
            if (allIn || quorumAfterDeadline || graceOver)
            {
                if (await chain.TryCloseAsync(round.Round, ct))
                {
                    _closedRound = round.Round;
                    return Did(StepAction.Closed, round, $"{round.Commits}/{round.MemberCount} committed");
                }
                return Wait(round, "close raced by a peer");
            }
            SetStatus(round, NodeRole.Member, $"waiting for commits {round.Commits}/{round.MemberCount}");
            return Wait(round, $"{round.Commits}/{round.MemberCount} committed, quorum {rules.MinPeers}, deadline {round.Deadline:HH:mm:ss}");
        }

        var baseId = await AdoptableBaseAsync(round, rules, round.MyBaseModel ?? rules.GenesisModel, ct);
        var record = state.Get(round.Round);
        if (record?.LocalModel is null || record.BaseModel != baseId.ToString())
            record = await TrainAsync(round, baseId, ct);

        var localId = ContentId.Parse(record.LocalModel!);
        await chain.CommitAsync(round.Round, round.MyCluster!.Value, localId, record.LocalSamples, ToPartsPerMillion(record.BaseAccuracy ?? 0), ct);
        await announcer.AnnounceAsync(new ModelAnnouncement(AnnouncementKind.LocalUpdate, round.Round, round.MyCluster.Value, localId, record.LocalSamples, record.LocalTrainAccuracy ?? 0), ct);
        SetStatus(round, NodeRole.Member, "committed", record.LocalTrainAccuracy, record.BaseAccuracy);
        return Did(StepAction.Committed, round, $"{localId} with {record.LocalSamples} samples");
    }

    private async Task<RoundRecord> TrainAsync(RoundSnapshot round, ContentId baseId, CancellationToken ct)
    {
        var (baseModel, baseAccuracy) = await ValidateBaseAsync(round, baseId, ct);

        SetStatus(round, NodeRole.Member, "training", baseAccuracy: baseAccuracy);
        var update = await learner.TrainAsync(baseModel, round.Round, ProgressOf("training"), ct);
        SetStatus(round, NodeRole.Member, "storing the local model");
        var localId = await models.PutAsync(update.Model, ct);

        var record = new RoundRecord
        {
            Round = round.Round,
            BaseModel = baseId.ToString(),
            BaseAccuracy = baseAccuracy,
            LocalModel = localId.ToString(),
            LocalSamples = update.Samples,
            LocalTrainAccuracy = update.HeldOutAccuracy,
        };
        state.Put(record);
        _log.Information("Round {Round}: trained {Model} on {Samples} samples from base {Base} (base accuracy {Accuracy:P2})",
            round.Round, localId, update.Samples, baseId, baseAccuracy);
        return record;
    }

    /// <summary>
    /// Fetches a new base model and validates it on the held-out split: the metric goes out by gossip now and into the
    /// next commit, so the swarm's accuracy is the sample-weighted mean of its members' reports.
    /// </summary>
    private async Task<(byte[] Model, double Accuracy)> ValidateBaseAsync(RoundSnapshot round, ContentId baseId, CancellationToken ct)
    {
        SetStatus(round, NodeRole.Member, "fetching base model");
        var baseModel = await models.GetAsync(baseId, TransferProgressOf("fetching base model"), ct);

        SetStatus(round, NodeRole.Member, "validating base model");
        var accuracy = await learner.EvaluateAsync(baseModel, ct);
        await announcer.AnnounceAsync(new ModelAnnouncement(AnnouncementKind.Validation, round.Round, round.MyCluster!.Value, baseId, learner.TrainingSamples, accuracy), ct);
        if (state.Get(round.Round) is not { } known || known.BaseModel != baseId.ToString())
            state.Put(new RoundRecord { Round = round.Round, BaseModel = baseId.ToString(), BaseAccuracy = accuracy });
        SetStatus(round, Status.Role, Status.Activity, baseAccuracy: accuracy);
        return (baseModel, accuracy);
    }

    /// <summary>
    /// The leaders are drawn from the election block's hash once a transaction can land after it. On a chain that mines
    /// only for transactions nothing makes that block, so the closer (or anyone, after <see cref="ElectionNudgeAfter"/>)
    /// sends the draw early: the contract then only mines the block, and the next draw elects.
    /// </summary>
    private async Task<StepResult> ElectionPhaseAsync(RoundSnapshot round, CancellationToken ct)
    {
        if (round.ElectionBlock is not { } at) return Wait(round, "waiting for the election block to be fixed");
        var now = clock.GetUtcNow();
        if (_electionWait is not { } wait || wait.Round != round.Round) _electionWait = wait = (round.Round, now);
        var ready = round.Block >= at; // a transaction sent now lands after the election block
        var nudge = !ready && (_closedRound == round.Round || now - wait.Since >= ElectionNudgeAfter);
        if (!ready && !nudge)
        {
            SetStatus(round, NodeRole.Member, $"waiting for block {at}, whose hash draws the leaders");
            return Wait(round, $"leaders are drawn from block {at}; the head is {round.Block}");
        }
        _closedRound = null;
        if (await chain.TryDrawLeadersAsync(round.Round, ct))
            return Did(StepAction.DrewLeaders, round, ready ? $"from block {at}" : $"sent early, to make block {at}");
        return Wait(round, "the draw raced by a peer");
    }

    /// <summary>
    /// A round whose queued joins and leaves take more than one transaction opens in batches, and any node sends the
    /// next one: joiners are not members until it opens, and every node gains from the round opening soon.
    /// </summary>
    private async Task<StepResult> OpeningPhaseAsync(RoundSnapshot round, CancellationToken ct)
    {
        SetStatus(round, NodeRole.Observer, "applying the queued joins and leaves before the round opens");
        if (await chain.TryContinueOpeningAsync(round.Round, ct))
            return Did(StepAction.ContinuedOpening, round, "applied a batch of membership changes");
        return Wait(round, "the opening batch raced by a peer");
    }

    private async Task<StepResult> MergePhaseAsync(RoundSnapshot round, SwarmRules rules, CancellationToken ct)
    {
        var cluster = round.MyCluster!.Value;
        var merges = await chain.GetMergesAsync(round.Round, ct);
        if (merges.FirstOrDefault(m => m.Cluster == cluster) is { } published)
        {
            if (published.Leader != chain.Self && await CheckClusterMergeAsync(round, rules, published, votingOpen: true, ct) is { } checkedMerge) return checkedMerge;
            if (published.Leader == chain.Self && await HandInEndorsementsAsync(round, published, ct) is { } handedIn) return handedIn;
            SetStatus(round, NodeRole.Member, "cluster merged; waiting for the other clusters");
            return Wait(round, "cluster already merged");
        }
        var leader = await chain.GetLeaderAsync(round.Round, cluster, ct);
        if (leader is null) return Wait(round, "no leader elected for this cluster");
        if (leader.Leader == chain.Self) return await LeadMergeAsync(round, rules, cluster, ct);
        return await ReplaceIfStalledAsync(round, rules, cluster, leader, "merge", ct);
    }

    private async Task<StepResult> LeadMergeAsync(RoundSnapshot round, SwarmRules rules, int cluster, CancellationToken ct)
    {
        SetStatus(round, NodeRole.Leader, "pulling the cluster's models");
        var commits = (await chain.GetCommitsAsync(round.Round, ct)).Where(c => c.Cluster == cluster).ToList();
        var baseId = round.MyBaseModel ?? rules.GenesisModel;
        var baseModel = await models.GetAsync(baseId, ct);
        var inputs = new List<MergeInput>();
        var unavailable = new List<RecordedDrop>();
        var ordered = commits.OrderBy(c => c.Model.ToString(), StringComparer.Ordinal).ToList();
        foreach (var commit in ordered) models.NoteHeldBy(commit.Model, commit.Member);
        // All pulls at once: each is bounded by the exchange's per-holder deadline, so the slowest member costs one
        // deadline in total, not one each.
        SetStatus(round, NodeRole.Leader, $"pulling {ordered.Count} models");
        var pulled = await Task.WhenAll(ordered.Select(async commit =>
        {
            try { return (commit, Model: await models.GetAsync(commit.Model, ct), Failure: (string?)null); }
            catch (ModelUnavailableException e) { return (commit, Model: (byte[]?)null, Failure: e.Message); }
        }));
        foreach (var (commit, model, failure) in pulled)
        {
            if (model is not null)
            {
                inputs.Add(new MergeInput(commit.Model, model, commit.Samples));
                continue;
            }
            // Every holder was tried within the fetch's deadline: the input is dropped like an invalid one, on record.
            unavailable.Add(new RecordedDrop(commit.Model, RejectionReason.Unavailable));
            _log.Warning("Round {Round} cluster {Cluster}: dropping {Model} of {Member}, unavailable: {Reason}", round.Round, cluster, commit.Model, commit.Member, failure);
        }
        if (inputs.Count == 0) return Wait(round, "none of the cluster's committed models is reachable yet");

        SetStatus(round, NodeRole.Leader, $"merging {inputs.Count} models ({rules.AggregationPolicy})");
        MergeResult result;
        try
        {
            result = merger.Merge(rules.AggregationPolicy, baseModel, inputs);
        }
        catch (MergeRefusedException e)
        {
            // No valid input: nothing can be published; the merge timeout passes the duty on, and with no candidate
            // left the contract skips the cluster.
            _log.Warning("Round {Round} cluster {Cluster}: no valid input to merge: {Reason}", round.Round, cluster, e.Message);
            return Wait(round, "no valid input to merge");
        }
        foreach (var d in result.Dropped)
            _log.Warning("Round {Round} cluster {Cluster}: dropped {Model} ({Reason}): {Detail}", round.Round, cluster, d.Id, d.Reason, d.Detail);
        var droppedIds = result.Dropped.Select(d => d.Id).ToHashSet();
        var merged = inputs.Where(i => !droppedIds.Contains(i.Id)).ToList();
        var drops = unavailable.Concat(result.Dropped.Select(d => new RecordedDrop(d.Id, d.Reason))).ToList();
        var mergedId = await models.PutAsync(result.Model, ct);
        // The published inputs are what the merge used and the drops what it left out, with why: from the inputs and the
        // reproducible drops, anyone recomputes the same drops and the same bytes.
        await chain.PublishMergeAsync(round.Round, cluster, mergedId, merged.Select(i => i.Id).ToList(), drops, ct);
        await announcer.AnnounceAsync(new ModelAnnouncement(AnnouncementKind.ClusterMerge, round.Round, cluster, mergedId, (ulong)merged.Sum(i => (decimal)i.Samples), 0), ct);
        return Did(StepAction.Merged, round, drops.Count == 0
            ? $"{mergedId} from {merged.Count} models"
            : $"{mergedId} from {merged.Count} models, {drops.Count} dropped");
    }

    private async Task<StepResult> SemiGlobalPhaseAsync(RoundSnapshot round, SwarmRules rules, CancellationToken ct)
    {
        var cluster = round.MyCluster!.Value;
        var published = await chain.GetSemiGlobalsAsync(round.Round, ct);
        if (published.Any(s => s.Cluster == cluster))
        {
            SetStatus(round, NodeRole.Member, "semi-global published; waiting for the next round");
            return Wait(round, "semi-global already published");
        }
        // The cluster's merge can still be voted on while the window is open: a member that has not checked it yet
        // does so first.
        var objectionsUntil = await chain.GetObjectionDeadlineAsync(round.Round, ct);
        var votingOpen = objectionsUntil is not { } closes || clock.GetUtcNow() < closes;
        var ownMerge = (await chain.GetMergesAsync(round.Round, ct)).FirstOrDefault(m => m.Cluster == cluster);
        if (ownMerge is not null && ownMerge.Leader != chain.Self && await CheckClusterMergeAsync(round, rules, ownMerge, votingOpen, ct) is { } checkedMerge)
            return checkedMerge;
        if (!votingOpen && await SettleContestedAsync(round, cluster, ct) is { } settled) return settled;
        var leader = await chain.GetLeaderAsync(round.Round, cluster, ct);
        if (leader is null) return Wait(round, "no leader for this cluster");
        if (leader.Leader != chain.Self)
        {
            // The semi-global leader cannot publish before the window ends, so its timeout runs from there.
            var from = objectionsUntil is { } until && until > leader.ElectedAt ? leader with { ElectedAt = until } : leader;
            return await ReplaceIfStalledAsync(round, rules, cluster, from, "semi-global", ct);
        }
        if (objectionsUntil is { } end && clock.GetUtcNow() < end)
        {
            if (ownMerge is not null && ownMerge.Leader == chain.Self && await HandInEndorsementsAsync(round, ownMerge, ct) is { } handedIn) return handedIn;
            SetStatus(round, NodeRole.Leader, "waiting out the objection window");
            return Wait(round, $"objections to the round's merges are open until {end:HH:mm:ss}");
        }

        SetStatus(round, NodeRole.Leader, "building the semi-global model");
        var merges = MergeRecomputation.CombinedMerges(await chain.GetMergesAsync(round.Round, ct)).OrderBy(m => m.Cluster).ToList();
        var commits = await chain.GetCommitsAsync(round.Round, ct);
        var inputs = new List<MergeInput>();
        foreach (var merge in merges)
        {
            inputs.Add(new MergeInput(merge.Model, await models.GetAsync(merge.Model, ct), SemiGlobal.WeightOf(merge, commits)));
        }
        var own = inputs.Single(i => i.Id == merges.Single(m => m.Cluster == cluster).Model);
        var result = merger.Merge(SemiGlobal.Strategy, own.Model, inputs);
        var semiGlobalId = ContentId.Of(result.Model);
        // With one cluster the semi-global model is the cluster model itself, stored and replicated already by its merge.
        if (inputs.All(i => i.Id != semiGlobalId)) semiGlobalId = await models.PutAsync(result.Model, ct);
        await chain.PublishSemiGlobalAsync(round.Round, cluster, semiGlobalId, ct);
        await announcer.AnnounceAsync(new ModelAnnouncement(AnnouncementKind.SemiGlobal, round.Round, cluster, semiGlobalId, 0, 0), ct);
        return Did(StepAction.PublishedSemiGlobal, round, $"{semiGlobalId} from {inputs.Count} cluster models");
    }

    private async Task<StepResult> ReplaceIfStalledAsync(RoundSnapshot round, SwarmRules rules, int cluster, ClusterLeader leader, string duty, CancellationToken ct)
    {
        var due = leader.ElectedAt + rules.MergeTimeout;
        if (clock.GetUtcNow() < due)
        {
            SetStatus(round, NodeRole.Member, $"waiting for leader {leader.Leader} ({duty})");
            return Wait(round, $"leader {leader.Leader} has until {due:HH:mm:ss}");
        }
        if (await chain.TryReplaceLeaderAsync(round.Round, cluster, ct))
        {
            _log.Warning("Round {Round} cluster {Cluster}: leader {Leader} missed its {Duty} timeout; replaced", round.Round, cluster, leader.Leader, duty);
            return Did(StepAction.ReplacedLeader, round, $"replaced {leader.Leader}");
        }
        return Wait(round, "leader replacement raced by a peer");
    }

    /// <summary>
    /// Recomputes the cluster's published merge once (if sampled) and objects on chain when it is not what the inputs
    /// give; when it is, and others objected to it, backs it while the vote is open. Returns the step's result, or null
    /// when there is nothing (more) to do.
    /// </summary>
    private async Task<StepResult?> CheckClusterMergeAsync(RoundSnapshot round, SwarmRules rules, PublishedMerge merge, bool votingOpen, CancellationToken ct)
    {
        var key = (merge.Round, merge.Cluster, merge.Leader);
        if (_mergeChecks.TryGetValue(key, out var known))
        {
            if (known is not { Holds: true } || !votingOpen) return null;
            await EndorseIfDueAsync(merge, ct);
            return await SupportIfContestedAsync(round, merge, ct);
        }
        if (!Sampling.ShouldCheck(merge.Round, merge.Cluster, merge.Model))
        {
            _mergeChecks[key] = null;
            _log.Debug("Round {Round} cluster {Cluster}: merge {Model} not sampled for checking", merge.Round, merge.Cluster, merge.Model);
            return null;
        }
        SetStatus(round, NodeRole.Member, "recomputing the cluster's merge");
        var verdict = await RecomputeMergeAsync(round, rules, merge, ct);
        _mergeChecks[key] = verdict;
        if (verdict is null) return Wait(round, $"merge {merge.Model} cannot be checked: its base model is out of reach");
        if (verdict.Holds)
        {
            if (votingOpen) await EndorseIfDueAsync(merge, ct);
            return (votingOpen ? await SupportIfContestedAsync(round, merge, ct) : null) ?? Did(StepAction.Verified, round, $"merge {merge.Model} of {merge.Leader}");
        }

        _forgedMerges.Add(merge.Model);
        _log.Warning("Round {Round} cluster {Cluster}: leader {Leader}'s merge {Model} is forged: {Problems}; objecting",
            merge.Round, merge.Cluster, merge.Leader, merge.Model, verdict.Summary);
        if (await chain.TryObjectToMergeAsync(merge.Round, merge.Cluster, merge.Leader, ct))
            return Did(StepAction.Objected, round, $"to {merge.Leader}'s merge {merge.Model}: {verdict.Summary}");
        return Wait(round, "objection refused (already voided, or the window closed)");
    }

    /// <summary>
    /// Tells the leader, by gossip, that this node recomputed its merge to the same model, with the signature the chain
    /// checks; again every <see cref="EndorsementRepeat"/> until the chain records the merge endorsed. Once every other
    /// committer has, the leader hands them in and nobody is left who could object.
    /// </summary>
    private async Task EndorseIfDueAsync(PublishedMerge merge, CancellationToken ct)
    {
        var key = (merge.Round, merge.Cluster, merge.Leader);
        if (!Endorse || merge.Endorsed || (_endorsedAt.TryGetValue(key, out var at) && clock.GetUtcNow() - at < EndorsementRepeat)) return;
        _endorsedAt[key] = clock.GetUtcNow();
        var signature = chain.SignEndorsement(merge.Round, merge.Cluster, merge.Leader);
        await announcer.AnnounceAsync(new ModelAnnouncement(AnnouncementKind.Endorsement, merge.Round, merge.Cluster, merge.Model, 0, 0)
        {
            Leader = merge.Leader,
            Signature = signature,
        }, ct);
    }

    /// <summary>
    /// As the cluster's leader: once the board holds an endorsement of its standing merge from every other committer of
    /// the cluster, hands them in (once per round), so the objection window need not be waited out. Null while some are
    /// missing: a silent, offline or sampling committer leaves the window to run its course.
    /// </summary>
    private async Task<StepResult?> HandInEndorsementsAsync(RoundSnapshot round, PublishedMerge merge, CancellationToken ct)
    {
        var cluster = merge.Cluster;
        if (!Endorse || merge.Endorsed || _handedIn.Contains((round.Round, cluster))) return null;
        var others = (await chain.GetCommitsAsync(round.Round, ct))
            .Where(c => c.Cluster == cluster && c.Member != chain.Self).Select(c => c.Member).ToHashSet();
        var held = Endorsements.For(round.Round, cluster, chain.Self).Where(e => others.Contains(e.Key)).ToList();
        if (held.Count < others.Count) return null;
        // A transient failure throws before this line, and the next step tries again; a refusal is final for the round.
        var accepted = await chain.TryEndorseMergeAsync(round.Round, cluster, chain.Self, held, ct);
        _handedIn.Add((round.Round, cluster));
        return accepted
            ? Did(StepAction.Endorsed, round, $"its merge, by all {held.Count} other committers")
            : Wait(round, "endorsements refused (the merge was objected to, or endorsed already)");
    }

    /// <summary>
    /// Silence is not a vote, so a merge that some objected to stands only if as many who checked it back it: a member
    /// whose recomputation matched says so once, as soon as it sees more objections than supporters.
    /// </summary>
    private async Task<StepResult?> SupportIfContestedAsync(RoundSnapshot round, PublishedMerge merge, CancellationToken ct)
    {
        var key = (merge.Round, merge.Cluster, merge.Leader);
        if (_supported.Contains(key)) return null;
        var votes = await chain.GetMergeVotesAsync(merge.Round, merge.Cluster, ct);
        if (!votes.Contested) return null;
        _supported.Add(key);
        _log.Warning("Round {Round} cluster {Cluster}: {Objections} objected to leader {Leader}'s merge {Model}, which this node recomputed to the same model; supporting it",
            merge.Round, merge.Cluster, votes.Objections, merge.Leader, merge.Model);
        if (await chain.TrySupportMergeAsync(merge.Round, merge.Cluster, merge.Leader, ct))
            return Did(StepAction.Supported, round, $"{merge.Leader}'s merge {merge.Model} against {votes.Objections} objections");
        return Wait(round, "support refused (already voided, or the window closed)");
    }

    /// <summary>
    /// After the objection window a contested merge holds back every semi-global model until someone voids it: any
    /// member does, starting with its own cluster.
    /// </summary>
    private async Task<StepResult?> SettleContestedAsync(RoundSnapshot round, int cluster, CancellationToken ct)
    {
        var own = await chain.GetMergeVotesAsync(round.Round, cluster, ct);
        if (own.ContestedInRound == 0) return null;
        foreach (var merge in (await chain.GetMergesAsync(round.Round, ct)).OrderBy(m => m.Cluster != cluster).ThenBy(m => m.Cluster))
        {
            var votes = merge.Cluster == cluster ? own : await chain.GetMergeVotesAsync(round.Round, merge.Cluster, ct);
            if (!votes.Contested) continue;
            SetStatus(round, NodeRole.Member, $"voiding the contested merge of cluster {merge.Cluster}");
            if (await chain.TrySettleContestedMergeAsync(round.Round, merge.Cluster, ct))
            {
                _log.Warning("Round {Round} cluster {Cluster}: leader {Leader}'s merge {Model} had {Objections} objections against {Supporters} supporters when the window closed; voided",
                    round.Round, merge.Cluster, merge.Leader, merge.Model, votes.Objections, votes.Supporters);
                return Did(StepAction.SettledContested, round, $"cluster {merge.Cluster}: {votes.Objections} objections, {votes.Supporters} supporters");
            }
            return Wait(round, "settling raced by a peer");
        }
        return Wait(round, $"{own.ContestedInRound} contested merge(s) wait to be voided");
    }

    /// <summary>The merge recomputed from the chain's record, as the audit does; null when its base model is out of reach.</summary>
    private async Task<MergeVerdict?> RecomputeMergeAsync(RoundSnapshot round, SwarmRules rules, PublishedMerge merge, CancellationToken ct)
    {
        var commits = (await chain.GetCommitsAsync(merge.Round, ct)).Where(c => c.Cluster == merge.Cluster).ToList();
        var committed = commits.Select(c => c.Model).ToHashSet();
        var problems = new List<string>();
        problems.AddRange(merge.Inputs.Concat(merge.Drops.Select(d => d.Id)).Where(id => !committed.Contains(id))
            .Select(id => $"it lists {id}, which was not committed to this cluster"));
        var accounted = merge.Inputs.Concat(merge.Drops.Select(d => d.Id)).ToHashSet();
        problems.AddRange(committed.Where(id => !accounted.Contains(id)).Select(id => $"it leaves out {id} without recording a drop"));
        if (problems.Count > 0) return new MergeVerdict(false, null, problems);

        foreach (var commit in commits) models.NoteHeldBy(commit.Model, commit.Member);
        // The leader read every candidate to merge or drop it, so it holds them all: it is asked too.
        var candidates = MergeRecomputation.Candidates(merge);
        foreach (var id in candidates) models.NoteHeldBy(id, merge.Leader);
        byte[] baseModel;
        try
        {
            baseModel = await models.GetAsync(round.MyBaseModel ?? rules.GenesisModel, ct);
        }
        catch (ModelUnavailableException e)
        {
            _log.Warning("Round {Round} cluster {Cluster}: cannot check merge {Model}, its base is out of reach: {Reason}", merge.Round, merge.Cluster, merge.Model, e.Message);
            return null;
        }
        var fetched = await Task.WhenAll(candidates.Select(async id =>
        {
            try { return (id, Bytes: await models.GetAsync(id, ct), Failure: (string?)null); }
            catch (ModelUnavailableException e) { return (id, Bytes: (byte[]?)null, Failure: e.Message); }
        }));
        // A merge that rests on an input nobody serves, not even the leader that says it read it, cannot be reproduced
        // by anyone: it is objected to, or a leader could hide a forgery behind a member that trickles its bytes.
        var unreachable = fetched.Where(f => f.Bytes is null).ToList();
        if (unreachable.Count > 0)
        {
            foreach (var (id, _, failure) in unreachable)
                _log.Warning("Round {Round} cluster {Cluster}: {Model}, a candidate of leader {Leader}'s merge, is out of reach: {Reason}", merge.Round, merge.Cluster, id, merge.Leader, failure);
            return new MergeVerdict(false, null, unreachable.Select(f => $"it rests on {f.id}, which neither its committer nor the leader serves").ToList());
        }
        var inputs = fetched.Select(f => new MergeInput(f.id, f.Bytes!, commits.First(c => c.Model == f.id).Samples)).ToList();
        return MergeRecomputation.CheckMerge(merger, rules.AggregationPolicy, baseModel, merge, inputs);
    }

    /// <summary>
    /// The model this node trains on: the chain's base model when it checks out (or is not sampled, or cannot be
    /// traced), otherwise — a forged semi-global — the base it trained on last round. An honest member never trains on
    /// a model it found forged.
    /// </summary>
    private async Task<ContentId> AdoptableBaseAsync(RoundSnapshot round, SwarmRules rules, ContentId baseId, CancellationToken ct)
    {
        if (baseId == rules.GenesisModel) return baseId;
        if (!_baseVerdicts.TryGetValue(baseId, out var adoptable))
        {
            adoptable = await CheckBaseAsync(round, baseId, ct);
            _baseVerdicts[baseId] = adoptable;
        }
        if (adoptable) return baseId;
        var previous = round.Round > 1 && state.Get(round.Round - 1)?.BaseModel is { } p ? ContentId.Parse(p) : rules.GenesisModel;
        _log.Warning("Round {Round}: refusing base model {Base}; training on the previous base {Previous}", round.Round, baseId, previous);
        return previous;
    }

    private async Task<bool> CheckBaseAsync(RoundSnapshot round, ContentId baseId, CancellationToken ct)
    {
        // The base is the semi-global of the latest round that published one for this cluster's arc.
        PublishedSemiGlobal? semi = null;
        ulong from = 0;
        for (var r = round.Round - 1; r >= 1 && r + 8 >= round.Round && semi is null; r--)
        {
            semi = (await chain.GetSemiGlobalsAsync(r, ct)).FirstOrDefault(s => s.Model == baseId);
            from = r;
        }
        if (semi is null)
        {
            _log.Warning("Round {Round}: base model {Base} was not published as a semi-global in the last rounds; not checked", round.Round, baseId);
            return true;
        }
        if (!Sampling.ShouldCheck(semi.Round, semi.Cluster, semi.Model)) return true;

        SetStatus(round, NodeRole.Member, "recomputing the base model");
        var merges = await chain.GetMergesAsync(from, ct);
        var combined = MergeRecomputation.CombinedMerges(merges);
        var problems = new List<string>();
        problems.AddRange(combined.Where(m => _forgedMerges.Contains(m.Model)).Select(m => $"it combines {m.Model}, a merge this node found forged"));
        MergeVerdict? verdict = null;
        if (problems.Count == 0 && combined.FirstOrDefault(m => m.Cluster == semi.Cluster) is { } own)
        {
            try
            {
                var commits = await chain.GetCommitsAsync(from, ct);
                var inputs = await Task.WhenAll(combined.Select(async m => new MergeInput(m.Model, await models.GetAsync(m.Model, ct), SemiGlobal.WeightOf(m, commits))));
                verdict = MergeRecomputation.CheckSemiGlobal(merger, semi, inputs.First(i => i.Id == own.Model).Model, inputs);
                problems.AddRange(verdict.Problems);
            }
            catch (ModelUnavailableException e)
            {
                _log.Warning("Round {Round}: cannot check base model {Base}: {Reason}", round.Round, baseId, e.Message);
                return true;
            }
        }
        else if (problems.Count == 0) problems.Add("its own cluster has no standing merge");
        if (problems.Count == 0)
        {
            Did(StepAction.Verified, round, $"base model {baseId} (semi-global of round {semi.Round} cluster {semi.Cluster})");
            return true;
        }
        _log.Warning("Round {Round}: base model {Base}, the semi-global of round {From} cluster {Cluster} by {Leader}, is forged: {Problems}",
            round.Round, baseId, semi.Round, semi.Cluster, semi.Leader, string.Join("; ", problems));
        return false;
    }

    private IProgress<double> ProgressOf(string activity) =>
        new SynchronousProgress<double>(p => Status = Status with { Activity = activity, Progress = p });

    private IProgress<TransferProgress> TransferProgressOf(string activity) =>
        new SynchronousProgress<TransferProgress>(p => Status = Status with { Activity = activity, Progress = p.Fraction });

    /// <summary>Unlike Progress&lt;T&gt;, reports on the caller's thread: no report can land after the step moved on.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static uint ToPartsPerMillion(double accuracy) => (uint)Math.Round(Math.Clamp(accuracy, 0, 1) * 1_000_000);

    private void SetStatus(RoundSnapshot round, NodeRole role, string activity, double? localAccuracy = null, double? baseAccuracy = null) =>
        Status = new NodeStatus(round.Round, round.Phase, role, round.MyCluster, activity,
            localAccuracy ?? Status.LocalAccuracy, baseAccuracy ?? Status.BaseAccuracy, null);

    private StepResult Wait(RoundSnapshot round, string detail) => new(StepAction.Waiting, round.Round, round.Phase, detail);

    private StepResult Did(StepAction action, RoundSnapshot round, string detail)
    {
        var result = new StepResult(action, round.Round, round.Phase, detail);
        _log.Information("{Step}", result.ToString());
        return result;
    }
}
