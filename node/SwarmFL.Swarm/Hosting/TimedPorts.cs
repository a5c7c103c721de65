using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Hosting;

/// <summary>Wraps the ports so the node can report where each round's time went.</summary>
internal sealed class TimedCoordinator(ISwarmCoordinator inner, PhaseTimer timer) : ISwarmCoordinator
{
    private const string Chain = "chain";
    public EthereumAddress Self => inner.Self;
    public Task<SwarmRules> GetRulesAsync(CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetRulesAsync(ct));
    public Task<RoundSnapshot> GetRoundAsync(CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetRoundAsync(ct));
    public Task CommitAsync(ulong round, int cluster, ContentId model, ulong samples, uint metricPpm, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.CommitAsync(round, cluster, model, samples, metricPpm, ct));
    public Task<bool> TryCloseAsync(ulong round, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.TryCloseAsync(round, ct));
    public Task<ClusterLeader?> GetLeaderAsync(ulong round, int cluster, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetLeaderAsync(round, cluster, ct));
    public Task<bool> TryReplaceLeaderAsync(ulong round, int cluster, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.TryReplaceLeaderAsync(round, cluster, ct));
    public Task<bool> TryDrawLeadersAsync(ulong round, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.TryDrawLeadersAsync(round, ct));
    public Task<bool> TryContinueOpeningAsync(ulong round, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.TryContinueOpeningAsync(round, ct));
    public Task<bool> TryObjectToMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.TryObjectToMergeAsync(round, cluster, leader, ct));
    public byte[] SignEndorsement(ulong round, int cluster, EthereumAddress leader) => inner.SignEndorsement(round, cluster, leader);
    public Task<bool> TryEndorseMergeAsync(ulong round, int cluster, EthereumAddress leader, IReadOnlyCollection<KeyValuePair<EthereumAddress, byte[]>> endorsements, CancellationToken ct) =>
        timer.TimeAsync(Chain, () => inner.TryEndorseMergeAsync(round, cluster, leader, endorsements, ct));
    public Task<bool> TrySupportMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.TrySupportMergeAsync(round, cluster, leader, ct));
    public Task<bool> TrySettleContestedMergeAsync(ulong round, int cluster, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.TrySettleContestedMergeAsync(round, cluster, ct));
    public Task<ClusterVotes> GetMergeVotesAsync(ulong round, int cluster, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetMergeVotesAsync(round, cluster, ct));
    public Task<DateTimeOffset?> GetObjectionDeadlineAsync(ulong round, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetObjectionDeadlineAsync(round, ct));
    public Task<IReadOnlyList<CommittedModel>> GetCommitsAsync(ulong round, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetCommitsAsync(round, ct));
    public Task<IReadOnlyList<PublishedMerge>> GetMergesAsync(ulong round, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetMergesAsync(round, ct));
    public Task<IReadOnlyList<PublishedSemiGlobal>> GetSemiGlobalsAsync(ulong round, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.GetSemiGlobalsAsync(round, ct));
    public Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, IReadOnlyList<RecordedDrop> dropped, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.PublishMergeAsync(round, cluster, model, inputs, dropped, ct));
    public Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, CancellationToken ct) => timer.TimeAsync(Chain, () => inner.PublishSemiGlobalAsync(round, cluster, model, ct));
}

internal sealed class TimedLearner(ILocalLearner inner, PhaseTimer timer) : ILocalLearner
{
    public ulong TrainingSamples => inner.TrainingSamples;
    public Task<LocalUpdate> TrainAsync(byte[] baseModel, ulong round, IProgress<double>? progress, CancellationToken ct) => timer.TimeAsync("train", () => inner.TrainAsync(baseModel, round, progress, ct));
    public Task<double> EvaluateAsync(byte[] model, CancellationToken ct) => timer.TimeAsync("evaluate", () => inner.EvaluateAsync(model, ct));
}

internal sealed class TimedMerger(IMergeEngine inner, PhaseTimer timer) : IMergeEngine
{
    public MergeResult Merge(string strategy, byte[] baseModel, IReadOnlyList<MergeInput> inputs) => timer.Time("aggregate", () => inner.Merge(strategy, baseModel, inputs));
}
