using System.Numerics;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Contracts;

/// <summary>A decoded SwarmCoordinator event with the log it came from (block, transaction, position).</summary>
public abstract record SwarmEvent
{
    public required LogEntry Log { get; init; }
}

public sealed record SwarmCreated(EthereumAddress Creator, SwarmConfig Config) : SwarmEvent;
public sealed record AllowlistChanged(EthereumAddress Account, bool Allowed) : SwarmEvent;
public sealed record MemberRegistered(EthereumAddress Member, byte[] PeerIdBytes, string Multiaddr, byte[] RingId, ulong EffectiveRound) : SwarmEvent;
public sealed record MemberLeft(EthereumAddress Member, ulong EffectiveRound) : SwarmEvent;
public sealed record LeadershipOptOutChanged(EthereumAddress Member, bool OptedOut) : SwarmEvent;
public sealed record RoundWaiting(ulong Round) : SwarmEvent;
public sealed record RoundOpened(ulong Round, ulong Deadline, uint MemberCount, uint ClusterCount) : SwarmEvent;
public sealed record ModelCommitted(ulong Round, uint Cluster, EthereumAddress Member, byte[] ModelId, ulong Samples, uint Metric) : SwarmEvent;
/// <summary>The commit phase ended; the leaders are drawn from the hash of <see cref="ElectionBlock"/> (see <see cref="LeadersDrawn"/>).</summary>
public sealed record RoundClosed(ulong Round, ulong ElectionBlock, uint Commits) : SwarmEvent;
public sealed record LeadersDrawn(ulong Round, byte[] Randomness, ulong ElectionBlock) : SwarmEvent;
public sealed record ElectionDeferred(ulong Round, ulong ElectionBlock) : SwarmEvent;
public sealed record MergeObjected(ulong Round, uint Cluster, EthereumAddress Member, EthereumAddress Leader, uint Objections, uint Needed) : SwarmEvent;
/// <summary>A majority of the cluster's other committers objected to <see cref="Leader"/>'s merge: it is void, and
/// <see cref="NextLeader"/> (zero: none, the cluster is skipped) redoes it.</summary>
public sealed record MergeVoided(ulong Round, uint Cluster, EthereumAddress Leader, EthereumAddress NextLeader, uint Attempt) : SwarmEvent;
public sealed record ClusterSkipped(ulong Round, uint Cluster, uint Committers) : SwarmEvent;
public sealed record LeaderElected(ulong Round, uint Cluster, EthereumAddress Leader, uint Attempt) : SwarmEvent;
public sealed record LeaderReplaced(ulong Round, uint Cluster, EthereumAddress FailedLeader, EthereumAddress NextLeader, uint Attempt) : SwarmEvent;
public sealed record MergePublished(ulong Round, uint Cluster, EthereumAddress Leader, byte[] ModelId, IReadOnlyList<byte[]> Inputs) : SwarmEvent;
/// <summary>The inputs a merge left out (emitted right after its <see cref="MergePublished"/>), one reason code each.</summary>
public sealed record InputsDropped(ulong Round, uint Cluster, EthereumAddress Leader, IReadOnlyList<byte[]> Dropped, IReadOnlyList<byte> Reasons) : SwarmEvent;
public sealed record AggregationRulesSet(AggregationRules Rules) : SwarmEvent;
public sealed record SemiGlobalStarted(ulong Round, uint Clusters) : SwarmEvent;
public sealed record SemiGlobalPublished(ulong Round, uint Cluster, EthereumAddress Leader, byte[] ModelId, IReadOnlyList<byte[]> ClusterModels) : SwarmEvent;

/// <summary>Turns SwarmCoordinator logs into typed events.</summary>
public static class SwarmEventDecoder
{
    private static readonly Dictionary<string, (AbiEvent Abi, Func<object?[], LogEntry, SwarmEvent> Create)> ByTopic = new[]
    {
        Entry(SwarmCoordinatorAbi.SwarmCreated, (v, l) => new SwarmCreated(A(v[0]), SwarmConfig.FromAbi((object?[])v[1]!)) { Log = l }),
        Entry(SwarmCoordinatorAbi.AllowlistChanged, (v, l) => new AllowlistChanged(A(v[0]), (bool)v[1]!) { Log = l }),
        Entry(SwarmCoordinatorAbi.MemberRegistered, (v, l) => new MemberRegistered(A(v[0]), (byte[])v[1]!, (string)v[2]!, (byte[])v[3]!, U64(v[4])) { Log = l }),
        Entry(SwarmCoordinatorAbi.MemberLeft, (v, l) => new MemberLeft(A(v[0]), U64(v[1])) { Log = l }),
        Entry(SwarmCoordinatorAbi.LeadershipOptOut, (v, l) => new LeadershipOptOutChanged(A(v[0]), (bool)v[1]!) { Log = l }),
        Entry(SwarmCoordinatorAbi.RoundWaiting, (v, l) => new RoundWaiting(U64(v[0])) { Log = l }),
        Entry(SwarmCoordinatorAbi.RoundOpened, (v, l) => new RoundOpened(U64(v[0]), U64(v[1]), U32(v[2]), U32(v[3])) { Log = l }),
        Entry(SwarmCoordinatorAbi.ModelCommitted, (v, l) => new ModelCommitted(U64(v[0]), U32(v[1]), A(v[2]), (byte[])v[3]!, U64(v[4]), U32(v[5])) { Log = l }),
        Entry(SwarmCoordinatorAbi.RoundClosed, (v, l) => new RoundClosed(U64(v[0]), U64(v[1]), U32(v[2])) { Log = l }),
        Entry(SwarmCoordinatorAbi.LeadersDrawn, (v, l) => new LeadersDrawn(U64(v[0]), (byte[])v[1]!, U64(v[2])) { Log = l }),
        Entry(SwarmCoordinatorAbi.ElectionDeferred, (v, l) => new ElectionDeferred(U64(v[0]), U64(v[1])) { Log = l }),
        Entry(SwarmCoordinatorAbi.MergeObjected, (v, l) => new MergeObjected(U64(v[0]), U32(v[1]), A(v[2]), A(v[3]), U32(v[4]), U32(v[5])) { Log = l }),
        Entry(SwarmCoordinatorAbi.MergeVoided, (v, l) => new MergeVoided(U64(v[0]), U32(v[1]), A(v[2]), A(v[3]), U32(v[4])) { Log = l }),
        Entry(SwarmCoordinatorAbi.ClusterSkipped, (v, l) => new ClusterSkipped(U64(v[0]), U32(v[1]), U32(v[2])) { Log = l }),
        Entry(SwarmCoordinatorAbi.LeaderElected, (v, l) => new LeaderElected(U64(v[0]), U32(v[1]), A(v[2]), U32(v[3])) { Log = l }),
        Entry(SwarmCoordinatorAbi.LeaderReplaced, (v, l) => new LeaderReplaced(U64(v[0]), U32(v[1]), A(v[2]), A(v[3]), U32(v[4])) { Log = l }),
        Entry(SwarmCoordinatorAbi.MergePublished, (v, l) => new MergePublished(U64(v[0]), U32(v[1]), A(v[2]), (byte[])v[3]!, Ids(v[4])) { Log = l }),
        Entry(SwarmCoordinatorAbi.InputsDropped, (v, l) => new InputsDropped(U64(v[0]), U32(v[1]), A(v[2]), Ids(v[3]), ((object?[])v[4]!).Select(r => (byte)(BigInteger)r!).ToList()) { Log = l }),
        Entry(SwarmCoordinatorAbi.AggregationRulesSet, (v, l) => new AggregationRulesSet(AggregationRules.FromAbi((object?[])v[0]!)) { Log = l }),
        Entry(SwarmCoordinatorAbi.SemiGlobalStarted, (v, l) => new SemiGlobalStarted(U64(v[0]), U32(v[1])) { Log = l }),
        Entry(SwarmCoordinatorAbi.SemiGlobalPublished, (v, l) => new SemiGlobalPublished(U64(v[0]), U32(v[1]), A(v[2]), (byte[])v[3]!, Ids(v[4])) { Log = l }),
    }.ToDictionary(e => Hex.Encode(e.Abi.Topic0));

    public static IReadOnlyList<byte[]> AllTopics { get; } = SwarmCoordinatorAbi.AllEvents.Select(e => e.Topic0).ToArray();

    /// <summary>The typed event, or null for a log of another kind. Malformed logs throw <see cref="FormatException"/>.</summary>
    public static SwarmEvent? TryDecode(LogEntry log)
    {
        if (log.Topics.Count == 0 || !ByTopic.TryGetValue(Hex.Encode(log.Topics[0]), out var entry)) return null;
        return entry.Create(entry.Abi.Decode(log.Topics, log.Data), log);
    }

    private static (AbiEvent Abi, Func<object?[], LogEntry, SwarmEvent> Create) Entry(AbiEvent abi, Func<object?[], LogEntry, SwarmEvent> create) => (abi, create);
    private static EthereumAddress A(object? v) => (EthereumAddress)v!;
    private static ulong U64(object? v) => (ulong)(BigInteger)v!;
    private static uint U32(object? v) => (uint)(BigInteger)v!;
    private static IReadOnlyList<byte[]> Ids(object? v) => ((object?[])v!).Cast<byte[]>().ToArray();
}
