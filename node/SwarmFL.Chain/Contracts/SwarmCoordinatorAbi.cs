using SwarmFL.Chain.Abi;
using Gen = SwarmFL.Chain.Contracts.Generated.SwarmCoordinator.ContractDefinition;

namespace SwarmFL.Chain.Contracts;

/// <summary>
/// The strict descriptions of the SwarmCoordinator interface this binding uses (docs/contracts-interface.md), derived
/// from the bindings generated from the Hardhat artifact (Contracts/Generated, generate-bindings.js), so they cannot
/// drift from the contract. They drive the strict decoding of views, events and reverts (<see cref="TypedAbi"/>).
/// A function not generated yet can still be declared here as Solidity text (<c>AbiFunction.Parse("f(uint64 x)")</c>):
/// <c>SwarmCoordinatorAbiTests</c> checks every entry against the artifact.
/// </summary>
public static class SwarmCoordinatorAbi
{
    /// <summary>The contract's Config struct as Solidity parameter text, for declarations written by hand.</summary>
    public static readonly string ConfigTuple = ParameterText(typeof(Gen.Config));

    /// <summary>The contract's AggregationRules struct: pinned policy text, per-commit sample cap, failed-leader cooldown.</summary>
    public static readonly string AggregationRulesTuple = ParameterText(typeof(Gen.AggregationRules));

    public static readonly IReadOnlyList<AbiParameter> ConstructorParameters = TypedAbi.Parameters(typeof(Gen.SwarmCoordinatorDeployment));
    public static readonly AbiType ConstructorInputs = new TupleType(ConstructorParameters.Select(p => p.Type).ToArray());

    // Views.
    public static readonly AbiFunction Config = TypedAbi.Function<Gen.ConfigFunction, Gen.ConfigOutputDTO>();
    public static readonly AbiFunction AggregationRules = TypedAbi.Function<Gen.AggregationRulesFunction, Gen.AggregationRulesOutputDTO>();
    public static readonly AbiFunction Creator = TypedAbi.Function<Gen.CreatorFunction, Gen.CreatorOutputDTO>();
    public static readonly AbiFunction IsMember = TypedAbi.Function<Gen.IsMemberFunction, Gen.IsMemberOutputDTO>();
    public static readonly AbiFunction IsAllowed = TypedAbi.Function<Gen.IsAllowedFunction, Gen.IsAllowedOutputDTO>();
    public static readonly AbiFunction MemberStatus = TypedAbi.Function<Gen.MemberStatusFunction, Gen.MemberStatusOutputDTO>();
    public static readonly AbiFunction Members = TypedAbi.Function<Gen.MembersFunction, Gen.MembersOutputDTO>();
    public static readonly AbiFunction MemberInfo = TypedAbi.Function<Gen.MemberInfoFunction, Gen.MemberInfoOutputDTO>();
    public static readonly AbiFunction RegisteredCount = TypedAbi.Function<Gen.RegisteredCountFunction, Gen.RegisteredCountOutputDTO>();
    public static readonly AbiFunction ClusterOf = TypedAbi.Function<Gen.ClusterOfFunction, Gen.ClusterOfOutputDTO>();
    public static readonly AbiFunction ClusterCount = TypedAbi.Function<Gen.ClusterCountFunction, Gen.ClusterCountOutputDTO>();
    public static readonly AbiFunction ClusterMembers = TypedAbi.Function<Gen.ClusterMembersFunction, Gen.ClusterMembersOutputDTO>();
    public static readonly AbiFunction CurrentRound = TypedAbi.Function<Gen.CurrentRoundFunction, Gen.CurrentRoundOutputDTO>();
    public static readonly AbiFunction Phase = TypedAbi.Function<Gen.PhaseFunction, Gen.PhaseOutputDTO>();
    public static readonly AbiFunction RoundInfo = TypedAbi.Function<Gen.RoundInfoFunction, Gen.RoundInfoOutputDTO>();
    public static readonly AbiFunction BaseModel = TypedAbi.Function<Gen.BaseModelFunction, Gen.BaseModelOutputDTO>();
    public static readonly AbiFunction ClusterState = TypedAbi.Function<Gen.ClusterStateFunction, Gen.ClusterStateOutputDTO>();
    public static readonly AbiFunction LeaderFailures = TypedAbi.Function<Gen.LeaderFailuresFunction, Gen.LeaderFailuresOutputDTO>();

    // Transactions.
    public static readonly AbiFunction Register = TypedAbi.Function<Gen.RegisterFunction>();
    public static readonly AbiFunction Leave = TypedAbi.Function<Gen.LeaveFunction>();
    public static readonly AbiFunction SetLeadershipOptOut = TypedAbi.Function<Gen.SetLeadershipOptOutFunction>();
    public static readonly AbiFunction Allow = TypedAbi.Function<Gen.AllowFunction>();
    public static readonly AbiFunction Disallow = TypedAbi.Function<Gen.DisallowFunction>();
    public static readonly AbiFunction Commit = TypedAbi.Function<Gen.CommitFunction>();
    public static readonly AbiFunction Close = TypedAbi.Function<Gen.CloseFunction>();
    public static readonly AbiFunction PublishMerge = TypedAbi.Function<Gen.PublishMergeFunction>();
    public static readonly AbiFunction PublishMergeWithDrops = TypedAbi.Function<Gen.PublishMergeWithDropsFunction>();
    public static readonly AbiFunction ReplaceLeader = TypedAbi.Function<Gen.ReplaceLeaderFunction>();
    public static readonly AbiFunction PublishSemiGlobal = TypedAbi.Function<Gen.PublishSemiGlobalFunction>();
    public static readonly AbiFunction DrawLeaders = TypedAbi.Function<Gen.DrawLeadersFunction>();
    public static readonly AbiFunction ContinueOpening = TypedAbi.Function<Gen.ContinueOpeningFunction>();
    public static readonly AbiFunction ObjectToMerge = TypedAbi.Function<Gen.ObjectToMergeFunction>();
    public static readonly AbiFunction SupportMerge = TypedAbi.Function<Gen.SupportMergeFunction>();
    public static readonly AbiFunction SettleContestedMerge = TypedAbi.Function<Gen.SettleContestedMergeFunction>();
    public static readonly AbiFunction EndorseMerge = TypedAbi.Function<Gen.EndorseMergeFunction>();
    public static readonly AbiFunction EndorsementDigest = TypedAbi.Function<Gen.EndorsementDigestFunction, Gen.EndorsementDigestOutputDTO>();
    public static readonly AbiFunction MergeVotes = TypedAbi.Function<Gen.MergeVotesFunction, Gen.MergeVotesOutputDTO>();
    public static readonly AbiFunction ElectionBlock = TypedAbi.Function<Gen.ElectionBlockFunction, Gen.ElectionBlockOutputDTO>();
    public static readonly AbiFunction ObjectionDeadline = TypedAbi.Function<Gen.ObjectionDeadlineFunction, Gen.ObjectionDeadlineOutputDTO>();

    // Events.
    public static readonly AbiEvent SwarmCreated = TypedAbi.Event<Gen.SwarmCreatedEventDTO>();
    public static readonly AbiEvent AllowlistChanged = TypedAbi.Event<Gen.AllowlistChangedEventDTO>();
    public static readonly AbiEvent MemberRegistered = TypedAbi.Event<Gen.MemberRegisteredEventDTO>();
    public static readonly AbiEvent MemberLeft = TypedAbi.Event<Gen.MemberLeftEventDTO>();
    public static readonly AbiEvent LeadershipOptOut = TypedAbi.Event<Gen.LeadershipOptOutEventDTO>();
    public static readonly AbiEvent RoundWaiting = TypedAbi.Event<Gen.RoundWaitingEventDTO>();
    public static readonly AbiEvent RoundOpened = TypedAbi.Event<Gen.RoundOpenedEventDTO>();
    public static readonly AbiEvent ModelCommitted = TypedAbi.Event<Gen.ModelCommittedEventDTO>();
    public static readonly AbiEvent RoundClosed = TypedAbi.Event<Gen.RoundClosedEventDTO>();
    public static readonly AbiEvent ClusterSkipped = TypedAbi.Event<Gen.ClusterSkippedEventDTO>();
    public static readonly AbiEvent LeaderElected = TypedAbi.Event<Gen.LeaderElectedEventDTO>();
    public static readonly AbiEvent LeaderReplaced = TypedAbi.Event<Gen.LeaderReplacedEventDTO>();
    public static readonly AbiEvent MergePublished = TypedAbi.Event<Gen.MergePublishedEventDTO>();
    public static readonly AbiEvent InputsDropped = TypedAbi.Event<Gen.InputsDroppedEventDTO>();
    public static readonly AbiEvent AggregationRulesSet = TypedAbi.Event<Gen.AggregationRulesSetEventDTO>();
    public static readonly AbiEvent SemiGlobalStarted = TypedAbi.Event<Gen.SemiGlobalStartedEventDTO>();
    public static readonly AbiEvent SemiGlobalPublished = TypedAbi.Event<Gen.SemiGlobalPublishedEventDTO>();
    public static readonly AbiEvent LeadersDrawn = TypedAbi.Event<Gen.LeadersDrawnEventDTO>();
    public static readonly AbiEvent ElectionDeferred = TypedAbi.Event<Gen.ElectionDeferredEventDTO>();
    public static readonly AbiEvent MergeObjected = TypedAbi.Event<Gen.MergeObjectedEventDTO>();
    public static readonly AbiEvent MergeSupported = TypedAbi.Event<Gen.MergeSupportedEventDTO>();
    public static readonly AbiEvent MergeVoided = TypedAbi.Event<Gen.MergeVoidedEventDTO>();
    public static readonly AbiEvent MergeEndorsed = TypedAbi.Event<Gen.MergeEndorsedEventDTO>();

    /// <summary>Every custom error of the contract, for decoding reverts into messages.</summary>
    public static readonly IReadOnlyList<AbiError> Errors = TypedAbi.ErrorsInNamespaceOf<Gen.ZeroModelError>();

    private static string ParameterText(Type structDto) => "(" + string.Join(", ", TypedAbi.Parameters(structDto)) + ")";

    public static IReadOnlyList<AbiFunction> AllFunctions { get; } =
    [
        Config, Creator, IsMember, IsAllowed, MemberStatus, Members, MemberInfo, RegisteredCount, ClusterOf, ClusterCount,
        ClusterMembers, CurrentRound, Phase, RoundInfo, BaseModel, ClusterState, LeaderFailures,
        Register, Leave, SetLeadershipOptOut, Allow, Disallow, Commit, Close, PublishMerge, ReplaceLeader, PublishSemiGlobal,
        AggregationRules, PublishMergeWithDrops, DrawLeaders, ContinueOpening, ElectionBlock, ObjectToMerge, ObjectionDeadline,
        SupportMerge, SettleContestedMerge, MergeVotes, EndorseMerge, EndorsementDigest,
    ];

    /// <summary>Events whose first indexed parameter is the round number, so eth_getLogs can select one round by topic 1.</summary>
    public static IReadOnlyList<AbiEvent> RoundEvents { get; } =
    [
        RoundWaiting, RoundOpened, ModelCommitted, RoundClosed, ClusterSkipped, LeaderElected, LeaderReplaced, MergePublished,
        SemiGlobalStarted, SemiGlobalPublished, InputsDropped, LeadersDrawn, ElectionDeferred, MergeObjected, MergeVoided,
        MergeSupported, MergeEndorsed,
    ];

    public static IReadOnlyList<AbiEvent> AllEvents { get; } =
    [
        SwarmCreated, AllowlistChanged, MemberRegistered, MemberLeft, LeadershipOptOut, RoundWaiting, RoundOpened,
        ModelCommitted, RoundClosed, ClusterSkipped, LeaderElected, LeaderReplaced, MergePublished, SemiGlobalStarted,
        SemiGlobalPublished, InputsDropped, AggregationRulesSet, LeadersDrawn, ElectionDeferred, MergeObjected, MergeVoided,
        MergeSupported, MergeEndorsed,
    ];
}
