using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Tests.Fakes;

/// <summary>Forwards every call; tests override one method to inject a failure.</summary>
public abstract class DelegatingCoordinator(ISwarmCoordinator inner) : ISwarmCoordinator
{
    public EthereumAddress Self => inner.Self;
    public virtual Task<SwarmRules> GetRulesAsync(CancellationToken ct) => inner.GetRulesAsync(ct);
    public virtual Task<RoundSnapshot> GetRoundAsync(CancellationToken ct) => inner.GetRoundAsync(ct);
    public virtual Task CommitAsync(ulong round, int cluster, ContentId model, ulong samples, uint metricPpm, CancellationToken ct) => inner.CommitAsync(round, cluster, model, samples, metricPpm, ct);
    public virtual Task<bool> TryCloseAsync(ulong round, CancellationToken ct) => inner.TryCloseAsync(round, ct);
    public virtual Task<ClusterLeader?> GetLeaderAsync(ulong round, int cluster, CancellationToken ct) => inner.GetLeaderAsync(round, cluster, ct);
    public virtual Task<bool> TryReplaceLeaderAsync(ulong round, int cluster, CancellationToken ct) => inner.TryReplaceLeaderAsync(round, cluster, ct);
    public virtual Task<bool> TryDrawLeadersAsync(ulong round, CancellationToken ct) => inner.TryDrawLeadersAsync(round, ct);
    public virtual Task<bool> TryContinueOpeningAsync(ulong round, CancellationToken ct) => inner.TryContinueOpeningAsync(round, ct);
    public virtual Task<bool> TryObjectToMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct) => inner.TryObjectToMergeAsync(round, cluster, leader, ct);
    public virtual byte[] SignEndorsement(ulong round, int cluster, EthereumAddress leader) => inner.SignEndorsement(round, cluster, leader);
    public virtual Task<bool> TryEndorseMergeAsync(ulong round, int cluster, EthereumAddress leader, IReadOnlyCollection<KeyValuePair<EthereumAddress, byte[]>> endorsements, CancellationToken ct) =>
        inner.TryEndorseMergeAsync(round, cluster, leader, endorsements, ct);
    public virtual Task<bool> TrySupportMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct) => inner.TrySupportMergeAsync(round, cluster, leader, ct);
    public virtual Task<bool> TrySettleContestedMergeAsync(ulong round, int cluster, CancellationToken ct) => inner.TrySettleContestedMergeAsync(round, cluster, ct);
    public virtual Task<ClusterVotes> GetMergeVotesAsync(ulong round, int cluster, CancellationToken ct) => inner.GetMergeVotesAsync(round, cluster, ct);
    public virtual Task<DateTimeOffset?> GetObjectionDeadlineAsync(ulong round, CancellationToken ct) => inner.GetObjectionDeadlineAsync(round, ct);
    public virtual Task<IReadOnlyList<CommittedModel>> GetCommitsAsync(ulong round, CancellationToken ct) => inner.GetCommitsAsync(round, ct);
    public virtual Task<IReadOnlyList<PublishedMerge>> GetMergesAsync(ulong round, CancellationToken ct) => inner.GetMergesAsync(round, ct);
    public virtual Task<IReadOnlyList<PublishedSemiGlobal>> GetSemiGlobalsAsync(ulong round, CancellationToken ct) => inner.GetSemiGlobalsAsync(round, ct);
    public virtual Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, IReadOnlyList<RecordedDrop> dropped, CancellationToken ct) => inner.PublishMergeAsync(round, cluster, model, inputs, dropped, ct);
    public virtual Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, CancellationToken ct) => inner.PublishSemiGlobalAsync(round, cluster, model, ct);
}
