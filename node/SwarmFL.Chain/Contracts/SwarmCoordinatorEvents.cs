using Nethereum.ABI.FunctionEncoding.Attributes;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;
using Gen = SwarmFL.Chain.Contracts.Generated.SwarmCoordinator.ContractDefinition;

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
/// <summary>A committer recomputed <see cref="Leader"/>'s objected-to merge and got the same model.</summary>
public sealed record MergeSupported(ulong Round, uint Cluster, EthereumAddress Member, EthereumAddress Leader, uint Objections, uint Supporters) : SwarmEvent;
/// <summary>A majority of the cluster's other committers objected to <see cref="Leader"/>'s merge, or more objected than
/// supported by the end of the objection window: it is void, and
/// <see cref="NextLeader"/> (zero: none, the cluster is skipped) redoes it.</summary>
/// <summary>Every committer of the cluster other than <see cref="Leader"/> endorsed its merge: no vote on it is taken any more.</summary>
public sealed record MergeEndorsed(ulong Round, uint Cluster, EthereumAddress Leader, uint Endorsers) : SwarmEvent;
public sealed record MergeVoided(ulong Round, uint Cluster, EthereumAddress Leader, EthereumAddress NextLeader, uint Attempt) : SwarmEvent;
public sealed record ClusterSkipped(ulong Round, uint Cluster, uint Committers) : SwarmEvent;
public sealed record LeaderElected(ulong Round, uint Cluster, EthereumAddress Leader, uint Attempt) : SwarmEvent;
public sealed record LeaderReplaced(ulong Round, uint Cluster, EthereumAddress FailedLeader, EthereumAddress NextLeader, uint Attempt) : SwarmEvent;
public sealed record MergePublished(ulong Round, uint Cluster, EthereumAddress Leader, byte[] ModelId, IReadOnlyList<byte[]> Inputs) : SwarmEvent;
/// <summary>The inputs a merge left out (emitted right after its <see cref="MergePublished"/>), one reason code each.</summary>
public sealed record InputsDropped(ulong Round, uint Cluster, EthereumAddress Leader, IReadOnlyList<byte[]> Dropped, IReadOnlyList<byte> Reasons) : SwarmEvent;
public sealed record AggregationRulesSet(AggregationRules Rules) : SwarmEvent;
public sealed record SemiGlobalStarted(ulong Round, uint Clusters) : SwarmEvent;
/// <summary>A cluster's semi-global model: it combines every merge of the round that stands (published, not voided).</summary>
public sealed record SemiGlobalPublished(ulong Round, uint Cluster, EthereumAddress Leader, byte[] ModelId) : SwarmEvent;

/// <summary>
/// Turns SwarmCoordinator logs into typed events: each log is checked strictly against its event, then filled into the
/// generated event DTO by Nethereum and mapped to our record.
/// </summary>
public static class SwarmEventDecoder
{
    private static readonly Dictionary<string, (AbiEvent Abi, Func<LogEntry, SwarmEvent> Create)> ByTopic = new[]
    {
        Typed<Gen.SwarmCreatedEventDTO>((e, l) => new SwarmCreated(A(e.Creator), SwarmConfig.FromDto(e.Config)) { Log = l }),
        Typed<Gen.AllowlistChangedEventDTO>((e, l) => new AllowlistChanged(A(e.Account), e.Allowed) { Log = l }),
        Typed<Gen.MemberRegisteredEventDTO>((e, l) => new MemberRegistered(A(e.Member), e.PeerId, e.Multiaddr, e.RingId, e.EffectiveRound) { Log = l }),
        Typed<Gen.MemberLeftEventDTO>((e, l) => new MemberLeft(A(e.Member), e.EffectiveRound) { Log = l }),
        Typed<Gen.LeadershipOptOutEventDTO>((e, l) => new LeadershipOptOutChanged(A(e.Member), e.OptedOut) { Log = l }),
        Typed<Gen.RoundWaitingEventDTO>((e, l) => new RoundWaiting(e.Round) { Log = l }),
        Typed<Gen.RoundOpenedEventDTO>((e, l) => new RoundOpened(e.Round, e.Deadline, e.MemberCount, e.ClusterCount) { Log = l }),
        Typed<Gen.ModelCommittedEventDTO>((e, l) => new ModelCommitted(e.Round, e.Cluster, A(e.Member), e.ModelId, e.Samples, e.Metric) { Log = l }),
        Typed<Gen.RoundClosedEventDTO>((e, l) => new RoundClosed(e.Round, e.ElectionBlock, e.Commits) { Log = l }),
        Typed<Gen.LeadersDrawnEventDTO>((e, l) => new LeadersDrawn(e.Round, e.Randomness, e.ElectionBlock) { Log = l }),
        Typed<Gen.ElectionDeferredEventDTO>((e, l) => new ElectionDeferred(e.Round, e.ElectionBlock) { Log = l }),
        Typed<Gen.MergeObjectedEventDTO>((e, l) => new MergeObjected(e.Round, e.Cluster, A(e.Member), A(e.Leader), e.Objections, e.Needed) { Log = l }),
        Typed<Gen.MergeSupportedEventDTO>((e, l) => new MergeSupported(e.Round, e.Cluster, A(e.Member), A(e.Leader), e.Objections, e.Supporters) { Log = l }),
        Typed<Gen.MergeEndorsedEventDTO>((e, l) => new MergeEndorsed(e.Round, e.Cluster, A(e.Leader), e.Endorsers) { Log = l }),
        Typed<Gen.MergeVoidedEventDTO>((e, l) => new MergeVoided(e.Round, e.Cluster, A(e.Leader), A(e.NextLeader), e.Attempt) { Log = l }),
        Typed<Gen.ClusterSkippedEventDTO>((e, l) => new ClusterSkipped(e.Round, e.Cluster, e.Committers) { Log = l }),
        Typed<Gen.LeaderElectedEventDTO>((e, l) => new LeaderElected(e.Round, e.Cluster, A(e.Leader), e.Attempt) { Log = l }),
        Typed<Gen.LeaderReplacedEventDTO>((e, l) => new LeaderReplaced(e.Round, e.Cluster, A(e.FailedLeader), A(e.NextLeader), e.Attempt) { Log = l }),
        Typed<Gen.MergePublishedEventDTO>((e, l) => new MergePublished(e.Round, e.Cluster, A(e.Leader), e.ModelId, e.Inputs) { Log = l }),
        Typed<Gen.InputsDroppedEventDTO>((e, l) => new InputsDropped(e.Round, e.Cluster, A(e.Leader), e.Dropped, e.Reasons) { Log = l }),
        Typed<Gen.AggregationRulesSetEventDTO>((e, l) => new AggregationRulesSet(AggregationRules.FromDto(e.Rules)) { Log = l }),
        Typed<Gen.SemiGlobalStartedEventDTO>((e, l) => new SemiGlobalStarted(e.Round, e.Clusters) { Log = l }),
        Typed<Gen.SemiGlobalPublishedEventDTO>((e, l) => new SemiGlobalPublished(e.Round, e.Cluster, A(e.Leader), e.ModelId) { Log = l }),
    }.ToDictionary(e => Hex.Encode(e.Abi.Topic0));

    public static IReadOnlyList<byte[]> AllTopics { get; } = SwarmCoordinatorAbi.AllEvents.Select(e => e.Topic0).ToArray();

    /// <summary>The typed event, or null for a log of another kind. Malformed logs throw <see cref="FormatException"/>.</summary>
    public static SwarmEvent? TryDecode(LogEntry log)
    {
        if (log.Topics.Count == 0 || !ByTopic.TryGetValue(Hex.Encode(log.Topics[0]), out var entry)) return null;
        return entry.Create(log);
    }

    private static (AbiEvent Abi, Func<LogEntry, SwarmEvent> Create) Typed<TEvent>(Func<TEvent, LogEntry, SwarmEvent> create)
        where TEvent : IEventDTO, new() =>
        (TypedAbi.Event<TEvent>(), log => create(TypedAbi.DecodeEvent<TEvent>(log.Topics, log.Data), log));

    /// <summary>An event declared as Solidity text in <see cref="SwarmCoordinatorAbi"/> (not generated yet): values by position.</summary>
    private static (AbiEvent Abi, Func<LogEntry, SwarmEvent> Create) Entry(AbiEvent abi, Func<object?[], LogEntry, SwarmEvent> create) =>
        (abi, log => create(abi.Decode(log.Topics, log.Data), log));

    private static EthereumAddress A(string address) => EthereumAddress.Parse(address);
}
