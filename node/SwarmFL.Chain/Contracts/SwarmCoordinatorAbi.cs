using SwarmFL.Chain.Abi;

namespace SwarmFL.Chain.Contracts;

/// <summary>
/// The SwarmCoordinator interface this binding uses (docs/contracts-interface.md), written as Solidity declarations.
/// A test checks every entry against the Hardhat artifact's ABI, so a contract change that breaks the binding fails.
/// </summary>
public static class SwarmCoordinatorAbi
{
    public const string ConfigTuple =
        "(uint32 minPeers, uint64 commitWindow, uint64 mergeTimeout, uint32 targetClusterSize, bool allowlistOnly, bytes32 modelSpecHash, bytes32 genesisModel, uint8 aggregation)";

    /// <summary>The contract's AggregationRules struct: pinned policy text, per-commit sample cap, failed-leader cooldown,
    /// objection window.</summary>
    public const string AggregationRulesTuple = "(string policy, uint64 maxSamples, uint32 leaderCooldown, uint64 objectionWindow)";

    public static readonly AbiType ConstructorInputs = AbiType.Tuple(AbiType.Parse(ConfigTuple), AbiType.Parse(AggregationRulesTuple));

    // Views.
    public static readonly AbiFunction Config = AbiFunction.Parse($"config() returns ({ConfigTuple})");
    public static readonly AbiFunction AggregationRules = AbiFunction.Parse($"aggregationRules() returns ({AggregationRulesTuple})");
    public static readonly AbiFunction Creator = AbiFunction.Parse("creator() returns (address)");
    public static readonly AbiFunction IsMember = AbiFunction.Parse("isMember(address account) returns (bool)");
    public static readonly AbiFunction IsAllowed = AbiFunction.Parse("isAllowed(address account) returns (bool)");
    public static readonly AbiFunction MemberStatus = AbiFunction.Parse("memberStatus(address account) returns (uint8)");
    public static readonly AbiFunction Members = AbiFunction.Parse("members() returns (address[])");
    public static readonly AbiFunction MemberInfo = AbiFunction.Parse(
        "memberInfo(address account) returns (bytes peerId, string multiaddr, bytes32 ringId, bool optedOut, bool active)");
    public static readonly AbiFunction RegisteredCount = AbiFunction.Parse("registeredCount() returns (uint32)");
    public static readonly AbiFunction ClusterOf = AbiFunction.Parse("clusterOf(address account) returns (uint32)");
    public static readonly AbiFunction ClusterCount = AbiFunction.Parse("clusterCount() returns (uint32)");
    public static readonly AbiFunction ClusterMembers = AbiFunction.Parse("clusterMembers(uint32 cluster) returns (address[] list)");
    public static readonly AbiFunction CurrentRound = AbiFunction.Parse("currentRound() returns (uint64)");
    public static readonly AbiFunction Phase = AbiFunction.Parse("phase() returns (uint8)");
    public static readonly AbiFunction RoundInfo = AbiFunction.Parse(
        "roundInfo(uint64 round) returns (uint64 openedAt, uint64 deadline, uint32 memberCount, uint32 clusters, uint32 commits, uint8 roundPhase, bytes32 randomness)");
    public static readonly AbiFunction BaseModel = AbiFunction.Parse("baseModel(uint32 cluster) returns (bytes32)");
    public static readonly AbiFunction LeaderOf = AbiFunction.Parse(
        "leaderOf(uint64 round, uint32 cluster) returns (address leader, uint64 electedAt, uint32 attempt)");
    public static readonly AbiFunction ClusterState = AbiFunction.Parse(
        "clusterState(uint64 round, uint32 cluster) returns (address leader, uint64 electedAt, uint32 attempt, uint8 status)");
    public static readonly AbiFunction LeaderFailures = AbiFunction.Parse("leaderFailures(address account) returns (uint32)");

    // Transactions.
    public static readonly AbiFunction Register = AbiFunction.Parse("register(bytes publicKey, string multiaddr)");
    public static readonly AbiFunction Leave = AbiFunction.Parse("leave()");
    public static readonly AbiFunction SetLeadershipOptOut = AbiFunction.Parse("setLeadershipOptOut(bool optOut)");
    public static readonly AbiFunction Allow = AbiFunction.Parse("allow(address[] accounts)");
    public static readonly AbiFunction Disallow = AbiFunction.Parse("disallow(address[] accounts)");
    public static readonly AbiFunction Commit = AbiFunction.Parse("commit(uint64 round, uint32 cluster, bytes32 modelId, uint64 samples, uint32 metric)");
    public static readonly AbiFunction Close = AbiFunction.Parse("close(uint64 round)");
    public static readonly AbiFunction PublishMerge = AbiFunction.Parse("publishMerge(uint64 round, uint32 cluster, bytes32 modelId, bytes32[] inputs)");
    public static readonly AbiFunction PublishMergeWithDrops = AbiFunction.Parse(
        "publishMergeWithDrops(uint64 round, uint32 cluster, bytes32 modelId, bytes32[] inputs, bytes32[] dropped, uint8[] reasons)");
    public static readonly AbiFunction ReplaceLeader = AbiFunction.Parse("replaceLeader(uint64 round, uint32 cluster)");
    public static readonly AbiFunction DrawLeaders = AbiFunction.Parse("drawLeaders(uint64 round)");
    public static readonly AbiFunction ElectionBlock = AbiFunction.Parse("electionBlock() returns (uint64)");
    public static readonly AbiFunction ObjectionDeadline = AbiFunction.Parse("objectionDeadline() returns (uint64)");
    public static readonly AbiFunction ObjectToMerge = AbiFunction.Parse("objectToMerge(uint64 round, uint32 cluster, address leader)");
    public static readonly AbiFunction PublishSemiGlobal = AbiFunction.Parse(
        "publishSemiGlobal(uint64 round, uint32 cluster, bytes32 modelId, bytes32[] clusterModels)");

    // Events.
    public static readonly AbiEvent SwarmCreated = AbiEvent.Parse($"SwarmCreated(address indexed creator, {ConfigTuple} config)");
    public static readonly AbiEvent AllowlistChanged = AbiEvent.Parse("AllowlistChanged(address indexed account, bool allowed)");
    public static readonly AbiEvent MemberRegistered = AbiEvent.Parse(
        "MemberRegistered(address indexed member, bytes peerId, string multiaddr, bytes32 ringId, uint64 effectiveRound)");
    public static readonly AbiEvent MemberLeft = AbiEvent.Parse("MemberLeft(address indexed member, uint64 effectiveRound)");
    public static readonly AbiEvent LeadershipOptOut = AbiEvent.Parse("LeadershipOptOut(address indexed member, bool optedOut)");
    public static readonly AbiEvent RoundWaiting = AbiEvent.Parse("RoundWaiting(uint64 indexed round)");
    public static readonly AbiEvent RoundOpened = AbiEvent.Parse(
        "RoundOpened(uint64 indexed round, uint64 deadline, uint32 memberCount, uint32 clusterCount)");
    public static readonly AbiEvent ModelCommitted = AbiEvent.Parse(
        "ModelCommitted(uint64 indexed round, uint32 indexed cluster, address indexed member, bytes32 modelId, uint64 samples, uint32 metric)");
    public static readonly AbiEvent RoundClosed = AbiEvent.Parse("RoundClosed(uint64 indexed round, uint64 electionBlock, uint32 commits)");
    public static readonly AbiEvent LeadersDrawn = AbiEvent.Parse("LeadersDrawn(uint64 indexed round, bytes32 randomness, uint64 electionBlock)");
    public static readonly AbiEvent ElectionDeferred = AbiEvent.Parse("ElectionDeferred(uint64 indexed round, uint64 electionBlock)");
    public static readonly AbiEvent MergeObjected = AbiEvent.Parse(
        "MergeObjected(uint64 indexed round, uint32 indexed cluster, address indexed member, address leader, uint32 objections, uint32 needed)");
    public static readonly AbiEvent MergeVoided = AbiEvent.Parse(
        "MergeVoided(uint64 indexed round, uint32 indexed cluster, address indexed leader, address nextLeader, uint32 attempt)");
    public static readonly AbiEvent ClusterSkipped = AbiEvent.Parse("ClusterSkipped(uint64 indexed round, uint32 indexed cluster, uint32 committers)");
    public static readonly AbiEvent LeaderElected = AbiEvent.Parse(
        "LeaderElected(uint64 indexed round, uint32 indexed cluster, address indexed leader, uint32 attempt)");
    public static readonly AbiEvent LeaderReplaced = AbiEvent.Parse(
        "LeaderReplaced(uint64 indexed round, uint32 indexed cluster, address indexed failedLeader, address nextLeader, uint32 attempt)");
    public static readonly AbiEvent MergePublished = AbiEvent.Parse(
        "MergePublished(uint64 indexed round, uint32 indexed cluster, address indexed leader, bytes32 modelId, bytes32[] inputs)");
    public static readonly AbiEvent InputsDropped = AbiEvent.Parse(
        "InputsDropped(uint64 indexed round, uint32 indexed cluster, address indexed leader, bytes32[] dropped, uint8[] reasons)");
    public static readonly AbiEvent AggregationRulesSet = AbiEvent.Parse($"AggregationRulesSet({AggregationRulesTuple} rules)");
    public static readonly AbiEvent SemiGlobalStarted = AbiEvent.Parse("SemiGlobalStarted(uint64 indexed round, uint32 clusters)");
    public static readonly AbiEvent SemiGlobalPublished = AbiEvent.Parse(
        "SemiGlobalPublished(uint64 indexed round, uint32 indexed cluster, address indexed leader, bytes32 modelId, bytes32[] clusterModels)");

    // Custom errors, for decoding reverts.
    public static readonly IReadOnlyList<AbiError> Errors = new[]
    {
        "AlreadyCommitted(uint64 round, address member)",
        "AlreadyObjected(address account)",
        "AlreadyLeft(address account)",
        "AlreadyPublished(uint32 cluster)",
        "AlreadyRegistered(address account)",
        "CloseTooEarly(uint64 deadline, uint32 commits, uint32 quorum)",
        "DropListMismatch(uint256 dropped, uint256 reasons)",
        "EmptyList()",
        "InvalidConfig(string reason)",
        "InvalidPublicKeyLength(uint256 length)",
        "MultiaddrTooLong(uint256 length, uint256 max)",
        "NoSuchCluster(uint32 cluster, uint32 clusterCount)",
        "NotAllowed(address account)",
        "NotCreator()",
        "NotLeader(address leader)",
        "NotMember(address account)",
        "NotObjector(address account)",
        "NothingToObject(uint32 cluster, uint8 status)",
        "ObjectionWindowClosed(uint64 at)",
        "ObjectionWindowOpen(uint64 until)",
        "NothingToReplace(uint32 cluster, uint8 status)",
        "PublicKeyMismatch()",
        "SwarmFull(uint32 max)",
        "TimeoutNotReached(uint64 at)",
        "TooManyPendingChanges(uint32 max)",
        "TooManySamples(uint64 samples, uint64 max)",
        "UnknownDropReason(uint8 reason)",
        "WrongCluster(uint32 expected, uint32 given)",
        "WrongPhase(uint8 expected, uint8 actual)",
        "WrongRound(uint64 expected, uint64 given)",
        "ZeroModel()",
        "ZeroSamples()",
    }.Select(AbiError.Parse).ToArray();

    public static IReadOnlyList<AbiFunction> AllFunctions { get; } =
    [
        Config, Creator, IsMember, IsAllowed, MemberStatus, Members, MemberInfo, RegisteredCount, ClusterOf, ClusterCount,
        ClusterMembers, CurrentRound, Phase, RoundInfo, BaseModel, LeaderOf, ClusterState, LeaderFailures,
        Register, Leave, SetLeadershipOptOut, Allow, Disallow, Commit, Close, PublishMerge, ReplaceLeader, PublishSemiGlobal,
        AggregationRules, PublishMergeWithDrops, DrawLeaders, ElectionBlock, ObjectToMerge, ObjectionDeadline,
    ];

    /// <summary>Events whose first indexed parameter is the round number, so eth_getLogs can select one round by topic 1.</summary>
    public static IReadOnlyList<AbiEvent> RoundEvents { get; } =
    [
        RoundWaiting, RoundOpened, ModelCommitted, RoundClosed, ClusterSkipped, LeaderElected, LeaderReplaced, MergePublished,
        SemiGlobalStarted, SemiGlobalPublished, InputsDropped, LeadersDrawn, ElectionDeferred, MergeObjected, MergeVoided,
    ];

    public static IReadOnlyList<AbiEvent> AllEvents { get; } =
    [
        SwarmCreated, AllowlistChanged, MemberRegistered, MemberLeft, LeadershipOptOut, RoundWaiting, RoundOpened,
        ModelCommitted, RoundClosed, ClusterSkipped, LeaderElected, LeaderReplaced, MergePublished, SemiGlobalStarted,
        SemiGlobalPublished, InputsDropped, AggregationRulesSet, LeadersDrawn, ElectionDeferred, MergeObjected, MergeVoided,
    ];
}
