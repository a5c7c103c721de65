using SwarmFL.Crypto;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Ports;

/// <summary>
/// The coordination contract as the round protocol needs it. The chain adapter implements it over SwarmFL.Chain's
/// bindings; tests implement it in memory. "Try" methods return false when the contract refused because somebody else
/// already did the same thing (closing, replacing a leader): racing peers is normal, not an error.
/// </summary>
public interface ISwarmCoordinator
{
    EthereumAddress Self { get; }
    Task<SwarmRules> GetRulesAsync(CancellationToken ct);
    Task<RoundSnapshot> GetRoundAsync(CancellationToken ct);
    Task CommitAsync(ulong round, int cluster, ContentId model, ulong samples, uint metricPpm, CancellationToken ct);
    Task<bool> TryCloseAsync(ulong round, CancellationToken ct);
    Task<ClusterLeader?> GetLeaderAsync(ulong round, int cluster, CancellationToken ct);
    Task<bool> TryReplaceLeaderAsync(ulong round, int cluster, CancellationToken ct);
    /// <summary>Draws the leaders from the election block's hash; before that block is mined over it only makes a block
    /// (on an automining chain that is what mines the election block).</summary>
    Task<bool> TryDrawLeadersAsync(ulong round, CancellationToken ct);
    /// <summary>Applies the next batch of the membership changes of a round that opens over several transactions.</summary>
    Task<bool> TryContinueOpeningAsync(ulong round, CancellationToken ct);
    /// <summary>Objects to <paramref name="leader"/>'s published merge of the cluster, which this node recomputed to another model.</summary>
    Task<bool> TryObjectToMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct);
    /// <summary>Backs <paramref name="leader"/>'s merge of the cluster, which this node recomputed to the same model, against objections.</summary>
    Task<bool> TrySupportMergeAsync(ulong round, int cluster, EthereumAddress leader, CancellationToken ct);
    /// <summary>This node's endorsement of <paramref name="leader"/>'s merge of the cluster, which it recomputed to the same
    /// model: a signature the chain checks, sent to the leader by gossip.</summary>
    byte[] SignEndorsement(ulong round, int cluster, EthereumAddress leader);
    /// <summary>Hands in the endorsements of <paramref name="leader"/>'s merge by every other committer of the cluster (signer
    /// → signature): with all of them in, nobody is left who could object, and the objection window can end early.</summary>
    Task<bool> TryEndorseMergeAsync(ulong round, int cluster, EthereumAddress leader, IReadOnlyCollection<KeyValuePair<EthereumAddress, byte[]>> endorsements, CancellationToken ct);
    /// <summary>After the objection window: voids the cluster's merge when it has more objections than supporters.</summary>
    Task<bool> TrySettleContestedMergeAsync(ulong round, int cluster, CancellationToken ct);
    Task<ClusterVotes> GetMergeVotesAsync(ulong round, int cluster, CancellationToken ct);
    /// <summary>In the SemiGlobal phase, when the objection window ends (no semi-global model is accepted before); else null.</summary>
    Task<DateTimeOffset?> GetObjectionDeadlineAsync(ulong round, CancellationToken ct);
    Task<IReadOnlyList<CommittedModel>> GetCommitsAsync(ulong round, CancellationToken ct);
    /// <summary>The round's standing merges (a voided merge is not among them).</summary>
    Task<IReadOnlyList<PublishedMerge>> GetMergesAsync(ulong round, CancellationToken ct);
    Task<IReadOnlyList<PublishedSemiGlobal>> GetSemiGlobalsAsync(ulong round, CancellationToken ct);
    /// <param name="inputs">The committed models merged.</param>
    /// <param name="dropped">The committed models left out, with why; every commit of the cluster is in exactly one list.</param>
    Task PublishMergeAsync(ulong round, int cluster, ContentId model, IReadOnlyList<ContentId> inputs, IReadOnlyList<RecordedDrop> dropped, CancellationToken ct);
    Task PublishSemiGlobalAsync(ulong round, int cluster, ContentId model, CancellationToken ct);
}
