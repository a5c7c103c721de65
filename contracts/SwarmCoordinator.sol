// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ClusterMath} from "./ClusterMath.sol";
import {PeerIdentity} from "./PeerIdentity.sol";

/// @title SwarmFL coordinator: membership, clusters and the round state machine of one swarm
/// @notice Interface and rules: docs/contracts-interface.md and docs/clusters.md. History lives in events; storage
///         keeps only what the state machine needs, in slots that are reused from round to round.
contract SwarmCoordinator {
    // ---------------------------------------------------------------------------------------------------- types

    struct Config {
        uint32 minPeers;
        uint64 commitWindow;
        uint64 mergeTimeout;
        uint32 targetClusterSize;
        bool allowlistOnly;
        bytes32 modelSpecHash;
        bytes32 genesisModel;
        uint8 aggregation;
    }

    /// @notice What decides a merge beyond the strategy id, fixed at creation (docs/contracts-interface.md):
    ///         `policy` is the canonical aggregation policy text every leader, checker and audit applies (strategy with
    ///         its parameters, deviation limit, update norm bound); `maxSamples` caps each commit's sample count;
    ///         `leaderCooldown` is how many rounds a leader that failed (timed out, or whose merge was voided) cannot be
    ///         elected; `objectionWindow` is how many seconds from the start of the SemiGlobal phase the cluster's
    ///         committers have to object to a merge before anyone may publish a semi-global model.
    struct AggregationRules {
        string policy;
        uint64 maxSamples;
        uint32 leaderCooldown;
        uint64 objectionWindow;
    }

    /// @dev The current round in one slot, so that a commit reads and writes it once.
    struct RoundState {
        uint64 number;
        uint40 openedAt;
        uint40 deadline;
        uint32 memberCount;
        uint32 clusterCount;
        uint32 commits;
        uint8 phase;
    }

    /// @dev Progress of the Merge and SemiGlobal phases of the current round.
    struct Progress {
        uint40 phaseStartedAt; // when the current phase began (the semi-global timeout and the objection window run from here)
        uint32 remaining; // clusters that still have to publish in the current phase
        uint32 merged; // clusters that published their merge this round
        uint64 electionBlock; // Election phase: the block whose hash draws the leaders (fixed at the close)
        uint32 contested; // standing merges with more objections than supports (no semi-global is accepted while any is)
        uint32 drawn; // Election phase: clusters drawn so far (the draw runs in batches, see DRAW_BATCH_CLUSTERS)
        uint16 endorsed; // standing merges of the round endorsed by every other committer of their cluster (endorseMerge)
    }

    /// @dev Supports of a cluster's standing merge, and whether every other committer endorsed it; stale (zero
    ///      supporters, not endorsed) once the round or the attempt moved on.
    struct MergeSupport {
        uint64 round;
        uint16 attempt;
        uint16 supporters;
        bool endorsed;
    }

    /// @dev One slot per cluster index, overwritten by every close (never zeroed, so rewrites stay cheap).
    struct ClusterState {
        address leader;
        uint40 electedAt; // when the current leader was elected (or took over)
        uint16 attempt; // 0 for the leader drawn at the election, +1 per replacement or void
        uint8 status;
        uint16 committers; // the cluster's committers this round (the objection majority is counted from them)
        uint16 objections; // objections to the current merge
    }

    /// @dev First slot holds everything commit and election read; the key and address follow.
    struct Member {
        uint8 status;
        bool optedOut;
        bool oddY; // parity of the public key's y: the compressed key is (0x02|oddY) ‖ keyX
        uint32 index; // position in the current ring (valid while Active or Leaving)
        uint64 lastCommit; // round of the member's last commit
        uint64 lastFailedRound; // round in which it last failed as a leader
        uint32 leaderFailures;
        uint32 pendingSlot; // 1 + position in the queue of changes while a change of this member waits, else 0
        bytes32 keyX;
        bytes32 ringId;
        string multiaddr;
    }

    /// @dev Progress of an opening that applies the queued membership changes over several transactions. The ring is
    ///      rebuilt in place: first the leavers are compacted out front to back (pass COMPACT), then the sorted joiners
    ///      are merged in back to front (pass INSERT), so no pass ever overwrites an entry it has still to read.
    struct Opening {
        uint8 pass;
        uint8 queue; // which of _queues takes new changes; the other one holds the changes being applied
        uint32 read; // COMPACT: next ring position read; INSERT: kept ring entries not yet moved, counted from the front
        uint32 write; // COMPACT: next ring position written
        uint32 length; // ring length before the joiners go in
        uint32 joins; // INSERT: sorted joiners not yet inserted
    }

    // ---------------------------------------------------------------------------------------------------- constants

    uint8 internal constant PHASE_COMMIT = 0;
    uint8 internal constant PHASE_MERGE = 1;
    uint8 internal constant PHASE_SEMI_GLOBAL = 2;
    /// @notice The round has not opened: it has no members yet (see docs/contracts-interface.md, "Round 1").
    uint8 internal constant PHASE_WAITING = 3;
    /// @notice Closed, leaders not drawn yet: the draw reads the hash of a block fixed at the close (electionBlock()).
    uint8 internal constant PHASE_ELECTION = 4;
    /// @notice The queued membership changes are being applied over several transactions (continueOpening); the round
    ///         opens when the last of them is in.
    uint8 internal constant PHASE_OPENING = 5;

    uint8 internal constant PASS_IDLE = 0;
    uint8 internal constant PASS_COMPACT = 1;
    uint8 internal constant PASS_INSERT = 2;

    uint8 internal constant CLUSTER_NONE = 0;
    uint8 internal constant CLUSTER_AWAITING_MERGE = 1;
    uint8 internal constant CLUSTER_MERGED = 2;
    uint8 internal constant CLUSTER_DONE = 3;
    uint8 internal constant CLUSTER_SKIPPED = 4;

    uint8 internal constant MEMBER_NONE = 0;
    uint8 internal constant MEMBER_JOINING = 1;
    uint8 internal constant MEMBER_ACTIVE = 2;
    uint8 internal constant MEMBER_LEAVING = 3;

    uint32 public constant MAX_MEMBERS = 1024;
    uint32 public constant MAX_PENDING_CHANGES = 128;
    uint256 public constant MAX_MULTIADDR_LENGTH = 512;
    uint8 internal constant MAX_AGGREGATION = 5;
    /// @notice Longest commit window or merge timeout (10 years): keeps every timestamp within its uint40 slot field.
    uint64 internal constant MAX_DURATION = 10 * 365 days;
    uint256 internal constant MAX_POLICY_LENGTH = 256;
    /// @notice Highest reason code of a dropped merge input (1 wrong size … 7 bad sample count, see the docs).
    uint8 internal constant MAX_DROP_REASON = 7;
    /// @notice The election block is this many blocks after the close's block: its hash does not exist when the closer
    ///         decides to close.
    uint64 internal constant ELECTION_DELAY = 1;
    /// @notice One drawLeaders call draws at most DRAW_BATCH_CLUSTERS whole clusters and stops once it has read
    ///         DRAW_BATCH_MEMBERS members, so that no call's gas grows with the swarm (1 024 members in clusters of 4
    ///         take four calls of about 2 M gas).
    uint32 public constant DRAW_BATCH_CLUSTERS = 64;
    uint32 public constant DRAW_BATCH_MEMBERS = 256;
    /// @notice One transaction applies at most OPENING_BATCH steps of an opening (a queued change sorted, a ring entry
    ///         read or written), so that no transaction's gas grows with the swarm; the rest waits for continueOpening.
    uint32 public constant OPENING_BATCH = 128;
    /// @notice What an endorsement signs, after the EIP-191 version 0 prefix and this contract's address (see
    ///         endorseMerge): keeps it apart from every other signature a member's key makes.
    bytes32 internal constant ENDORSEMENT_TAG = keccak256("SwarmFL.endorseMerge");

    // ---------------------------------------------------------------------------------------------------- config

    address public immutable creator;
    uint32 private immutable _minPeers;
    uint64 private immutable _commitWindow;
    uint64 private immutable _mergeTimeout;
    uint32 private immutable _targetClusterSize;
    bool private immutable _allowlistOnly;
    bytes32 private immutable _modelSpecHash;
    bytes32 private immutable _genesisModel;
    uint8 private immutable _aggregation;
    uint64 private immutable _maxSamples;
    uint32 private immutable _leaderCooldown;
    uint64 private immutable _objectionWindow;

    // ---------------------------------------------------------------------------------------------------- state

    RoundState private _round;
    Progress private _progress;
    bytes32 private _randomness;
    uint32 private _registeredCount; // Joining + Active members: the size of the next round's membership
    uint32 private _baseCount; // number of clusters the stored base models belong to

    address[] private _ring; // current round's members sorted by ring id
    address[][2] private _queues; // registrations and leaves waiting for the next opening (see Opening.queue)
    mapping(address => Member) private _members;
    mapping(address => bool) private _allowed;
    mapping(uint256 => ClusterState) private _clusters;
    mapping(uint256 => bytes32) private _base; // latest semi-global model per cluster; zero means the genesis model
    mapping(address => uint256) private _lastVote; // (round, cluster, attempt) of the merge the member last objected to or supported
    mapping(uint256 => MergeSupport) private _supports; // per cluster index
    string private _policy; // AggregationRules.policy (a string cannot be immutable)
    Opening private _opening;

    // ---------------------------------------------------------------------------------------------------- events

    event SwarmCreated(address indexed creator, Config config);
    event AllowlistChanged(address indexed account, bool allowed);
    event MemberRegistered(address indexed member, bytes peerId, string multiaddr, bytes32 ringId, uint64 effectiveRound);
    event MemberLeft(address indexed member, uint64 effectiveRound);
    event LeadershipOptOut(address indexed member, bool optedOut);
    event RoundWaiting(uint64 indexed round);
    event RoundOpened(uint64 indexed round, uint64 deadline, uint32 memberCount, uint32 clusterCount);
    event ModelCommitted(uint64 indexed round, uint32 indexed cluster, address indexed member, bytes32 modelId, uint64 samples, uint32 metric);
    event RoundClosed(uint64 indexed round, uint64 electionBlock, uint32 commits);
    /// @notice The election's draw: randomness = keccak256(abi.encode(blockhash(electionBlock), this, round, commits)).
    event LeadersDrawn(uint64 indexed round, bytes32 randomness, uint64 electionBlock);
    /// @notice The election block's hash was out of reach (over 256 blocks old): a new block is fixed.
    event ElectionDeferred(uint64 indexed round, uint64 electionBlock);
    event MergeObjected(uint64 indexed round, uint32 indexed cluster, address indexed member, address leader, uint32 objections, uint32 needed);
    /// @notice A committer of the cluster recomputed a merge that was objected to and got the same model.
    event MergeSupported(uint64 indexed round, uint32 indexed cluster, address indexed member, address leader, uint32 objections, uint32 supporters);
    /// @notice Every committer of the cluster other than its leader signed that it recomputed the merge to the same
    ///         model: nobody is left who could object to it.
    event MergeEndorsed(uint64 indexed round, uint32 indexed cluster, address indexed leader, uint32 endorsers);
    /// @notice A majority of the cluster's other committers objected, or more objected than supported by the end of the
    ///         objection window: the merge is void, its leader fails (cooldown) and `nextLeader` redoes the merge (0: no
    ///         candidate left, the cluster is skipped).
    event MergeVoided(uint64 indexed round, uint32 indexed cluster, address indexed leader, address nextLeader, uint32 attempt);
    event LeaderElected(uint64 indexed round, uint32 indexed cluster, address indexed leader, uint32 attempt);
    event ClusterSkipped(uint64 indexed round, uint32 indexed cluster, uint32 committers);
    event LeaderReplaced(uint64 indexed round, uint32 indexed cluster, address indexed failedLeader, address nextLeader, uint32 attempt);
    event MergePublished(uint64 indexed round, uint32 indexed cluster, address indexed leader, bytes32 modelId, bytes32[] inputs);
    /// @notice The committed models a merge left out, with one reason code each; emitted right after its MergePublished.
    event InputsDropped(uint64 indexed round, uint32 indexed cluster, address indexed leader, bytes32[] dropped, uint8[] reasons);
    event AggregationRulesSet(AggregationRules rules);
    event SemiGlobalStarted(uint64 indexed round, uint32 clusters);
    /// @notice The semi-global model combines every merge of the round that stands (was published and not voided).
    event SemiGlobalPublished(uint64 indexed round, uint32 indexed cluster, address indexed leader, bytes32 modelId);

    // ---------------------------------------------------------------------------------------------------- errors

    error InvalidConfig(string reason);
    error NotCreator();
    error NotAllowed(address account);
    error InvalidPublicKeyLength(uint256 length);
    error PublicKeyMismatch();
    error MultiaddrTooLong(uint256 length, uint256 max);
    error AlreadyRegistered(address account);
    error AlreadyLeft(address account);
    error SwarmFull(uint32 max);
    error TooManyPendingChanges(uint32 max);
    error NotMember(address account);
    error WrongRound(uint64 expected, uint64 given);
    error WrongPhase(uint8 expected, uint8 actual);
    error WrongCluster(uint32 expected, uint32 given);
    error NoSuchCluster(uint32 cluster, uint32 clusterCount);
    error AlreadyCommitted(uint64 round, address member);
    error ZeroSamples();
    error TooManySamples(uint64 samples, uint64 max);
    error DropListMismatch(uint256 dropped, uint256 reasons);
    error UnknownDropReason(uint8 reason);
    error ZeroModel();
    error EmptyList();
    error CloseTooEarly(uint64 deadline, uint32 commits, uint32 quorum);
    error NotLeader(address leader);
    error AlreadyPublished(uint32 cluster);
    error NothingToReplace(uint32 cluster, uint8 status);
    error TimeoutNotReached(uint64 at);
    error NothingToObject(uint32 cluster, uint8 status);
    error NotObjector(address account);
    error AlreadyObjected(address account);
    error ObjectionWindowClosed(uint64 at);
    error ObjectionWindowOpen(uint64 until);
    error MergesContested(uint32 count);
    error NotContested(uint32 cluster, uint32 objections, uint32 supporters);
    error NotEndorsable(uint32 cluster, uint32 objections);
    error EndorsementsIncomplete(uint32 given, uint32 needed);
    error BadEndorsement(uint256 index, address signer);

    // ---------------------------------------------------------------------------------------------------- setup

    constructor(Config memory config_, AggregationRules memory rules_) {
        if (config_.targetClusterSize == 0) revert InvalidConfig("targetClusterSize must be at least 1");
        // Round 1 opens when minPeers registrations are queued, and at most MAX_PENDING_CHANGES can be.
        if (config_.minPeers > MAX_PENDING_CHANGES) revert InvalidConfig("minPeers above MAX_PENDING_CHANGES (128): round 1 could never open");
        if (config_.commitWindow == 0) revert InvalidConfig("commitWindow must be positive");
        if (config_.commitWindow > MAX_DURATION) revert InvalidConfig("commitWindow too long");
        if (config_.mergeTimeout == 0) revert InvalidConfig("mergeTimeout must be positive");
        if (config_.mergeTimeout > MAX_DURATION) revert InvalidConfig("mergeTimeout too long");
        if (config_.genesisModel == bytes32(0)) revert InvalidConfig("genesisModel must be set");
        if (config_.aggregation > MAX_AGGREGATION) revert InvalidConfig("unknown aggregation strategy");
        if (rules_.maxSamples == 0) revert InvalidConfig("maxSamples must be positive");
        if (bytes(rules_.policy).length == 0) revert InvalidConfig("aggregation policy must be set");
        if (bytes(rules_.policy).length > MAX_POLICY_LENGTH) revert InvalidConfig("aggregation policy too long");
        if (rules_.objectionWindow == 0) revert InvalidConfig("objectionWindow must be positive");
        if (rules_.objectionWindow > MAX_DURATION) revert InvalidConfig("objectionWindow too long");
        creator = msg.sender;
        _maxSamples = rules_.maxSamples;
        _leaderCooldown = rules_.leaderCooldown;
        _objectionWindow = rules_.objectionWindow;
        _policy = rules_.policy;
        _minPeers = config_.minPeers;
        _commitWindow = config_.commitWindow;
        _mergeTimeout = config_.mergeTimeout;
        _targetClusterSize = config_.targetClusterSize;
        _allowlistOnly = config_.allowlistOnly;
        _modelSpecHash = config_.modelSpecHash;
        _genesisModel = config_.genesisModel;
        _aggregation = config_.aggregation;
        _round.number = 1;
        _round.phase = PHASE_WAITING;
        emit SwarmCreated(msg.sender, config_);
        emit AggregationRulesSet(rules_);
        emit RoundWaiting(1);
    }

    function config() public view returns (Config memory) {
        return Config({
            minPeers: _minPeers,
            commitWindow: _commitWindow,
            mergeTimeout: _mergeTimeout,
            targetClusterSize: _targetClusterSize,
            allowlistOnly: _allowlistOnly,
            modelSpecHash: _modelSpecHash,
            genesisModel: _genesisModel,
            aggregation: _aggregation
        });
    }

    function aggregationRules() external view returns (AggregationRules memory) {
        return AggregationRules({
            policy: _policy,
            maxSamples: _maxSamples,
            leaderCooldown: _leaderCooldown,
            objectionWindow: _objectionWindow
        });
    }

    // ---------------------------------------------------------------------------------------------------- admission

    function allow(address[] calldata accounts) external {
        _setAllowed(accounts, true);
    }

    /// @notice Stops future registrations of these accounts; members already registered stay.
    function disallow(address[] calldata accounts) external {
        _setAllowed(accounts, false);
    }

    function isAllowed(address account) external view returns (bool) {
        return !_allowlistOnly || _allowed[account];
    }

    function _setAllowed(address[] calldata accounts, bool allowed_) private {
        if (msg.sender != creator) revert NotCreator();
        for (uint256 i; i < accounts.length; ++i) {
            _allowed[accounts[i]] = allowed_;
            emit AllowlistChanged(accounts[i], allowed_);
        }
    }

    // ---------------------------------------------------------------------------------------------------- membership

    /// @param publicKey the sender's uncompressed secp256k1 key without the 0x04 prefix (x ‖ y, 64 bytes)
    function register(bytes calldata publicKey, string calldata multiaddr) external {
        if (publicKey.length != 64) revert InvalidPublicKeyLength(publicKey.length);
        if (PeerIdentity.addressOf(publicKey) != msg.sender) revert PublicKeyMismatch();
        if (_allowlistOnly && !_allowed[msg.sender]) revert NotAllowed(msg.sender);
        Member storage m = _members[msg.sender];
        if (m.status != MEMBER_NONE) revert AlreadyRegistered(msg.sender);
        if (bytes(multiaddr).length > MAX_MULTIADDR_LENGTH) {
            revert MultiaddrTooLong(bytes(multiaddr).length, MAX_MULTIADDR_LENGTH);
        }
        uint32 registered = _registeredCount;
        if (registered >= MAX_MEMBERS) revert SwarmFull(MAX_MEMBERS);

        (bytes32 x, bool oddY) = PeerIdentity.split(publicKey);
        bytes memory peerId = PeerIdentity.peerId(x, oddY);
        bytes32 ringId = sha256(peerId);
        m.status = MEMBER_JOINING;
        m.oddY = oddY;
        m.keyX = x;
        m.ringId = ringId;
        m.multiaddr = multiaddr;
        _queueChange(msg.sender);
        _registeredCount = ++registered;

        RoundState memory r = _round;
        bool waiting = r.phase == PHASE_WAITING;
        emit MemberRegistered(msg.sender, peerId, multiaddr, ringId, waiting ? r.number : r.number + 1);
        if (waiting && registered >= _openingThreshold()) _openRound(r.number);
    }

    /// @notice Leaves the swarm from the next round on (the member may still commit in the current one).
    ///         Before its first round a registration is simply withdrawn.
    function leave() external {
        Member storage m = _members[msg.sender];
        uint8 status = m.status;
        if (status == MEMBER_NONE) revert NotMember(msg.sender);
        if (status == MEMBER_LEAVING) revert AlreadyLeft(msg.sender);
        RoundState memory r = _round;
        uint64 effective = r.phase == PHASE_WAITING ? r.number : r.number + 1;
        if (status == MEMBER_JOINING) {
            // Withdrawn before it took effect: its queue entry goes too, so register→leave cycles cannot fill the queue.
            _unqueueChange(m.pendingSlot);
            delete _members[msg.sender];
        } else {
            m.status = MEMBER_LEAVING;
            _queueChange(msg.sender);
        }
        --_registeredCount;
        emit MemberLeft(msg.sender, effective);
    }

    /// @notice An opted-out member still commits but is never elected; applies from the next election on.
    function setLeadershipOptOut(bool optOut) external {
        Member storage m = _members[msg.sender];
        if (m.status == MEMBER_NONE) revert NotMember(msg.sender);
        m.optedOut = optOut;
        emit LeadershipOptOut(msg.sender, optOut);
    }

    function isMember(address account) public view returns (bool) {
        uint8 status = _members[account].status;
        return status == MEMBER_ACTIVE || status == MEMBER_LEAVING;
    }

    /// @notice 0 none, 1 joining (member from the next round), 2 active, 3 leaving (member until this round ends)
    function memberStatus(address account) external view returns (uint8) {
        return _members[account].status;
    }

    /// @notice The current round's members in ring order (while a round opens, phase Opening: the ring being rebuilt).
    function members() external view returns (address[] memory) {
        return _ring;
    }

    function memberInfo(address account)
        external
        view
        returns (bytes memory peerId, string memory multiaddr, bytes32 ringId, bool optedOut, bool active)
    {
        Member storage m = _members[account];
        if (m.status == MEMBER_NONE) revert NotMember(account);
        return (PeerIdentity.peerId(m.keyX, m.oddY), m.multiaddr, m.ringId, m.optedOut, isMember(account));
    }

    function leaderFailures(address account) external view returns (uint32) {
        return _members[account].leaderFailures;
    }

    function registeredCount() external view returns (uint32) {
        return _registeredCount;
    }

    // ---------------------------------------------------------------------------------------------------- clusters

    function clusterOf(address account) external view returns (uint32) {
        RoundState memory r = _round;
        if (!isMember(account) || r.clusterCount == 0) revert NotMember(account); // no clusters while a round opens
        return ClusterMath.clusterOfIndex(_members[account].index, r.memberCount, r.clusterCount);
    }

    function clusterCount() external view returns (uint32) {
        return _round.clusterCount;
    }

    /// @notice The members of a cluster of the current round, in ring order.
    function clusterMembers(uint32 cluster) external view returns (address[] memory list) {
        RoundState memory r = _round;
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        (uint256 first, uint256 size) = ClusterMath.clusterRange(cluster, r.memberCount, r.clusterCount);
        list = new address[](size);
        for (uint256 i; i < size; ++i) list[i] = _ring[first + i];
    }

    // ---------------------------------------------------------------------------------------------------- round views

    function currentRound() external view returns (uint64) {
        return _round.number;
    }

    function phase() external view returns (uint8) {
        return _round.phase;
    }

    /// @notice State of the current round (earlier rounds: read their events). randomness is zero until the close.
    function roundInfo(uint64 round)
        external
        view
        returns (
            uint64 openedAt,
            uint64 deadline,
            uint32 memberCount,
            uint32 clusters,
            uint32 commits,
            uint8 roundPhase,
            bytes32 randomness
        )
    {
        RoundState memory r = _requireRound(round);
        bool closed = r.phase == PHASE_MERGE || r.phase == PHASE_SEMI_GLOBAL;
        return (r.openedAt, r.deadline, r.memberCount, r.clusterCount, r.commits, r.phase, closed ? _randomness : bytes32(0));
    }

    /// @notice The cluster's latest semi-global model: the base of the current round until the cluster publishes a
    ///         new one in this round's SemiGlobal phase (from then on, the base of the next round).
    function baseModel(uint32 cluster) external view returns (bytes32) {
        RoundState memory r = _round;
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        bytes32 model = _base[cluster];
        return model == bytes32(0) ? _genesisModel : model;
    }

    /// @notice status: 0 before the close, 1 awaiting merge, 2 merged (awaiting semi-global), 3 done, 4 skipped
    function clusterState(uint64 round, uint32 cluster)
        external
        view
        returns (address leader, uint64 electedAt, uint32 attempt, uint8 status)
    {
        RoundState memory r = _requireRound(round);
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        if (r.phase == PHASE_COMMIT || r.phase == PHASE_ELECTION) return (address(0), 0, 0, CLUSTER_NONE);
        ClusterState memory s = _clusters[cluster];
        return (s.leader, s.electedAt, s.attempt, s.status);
    }

    // ---------------------------------------------------------------------------------------------------- commit

    function commit(uint64 round, uint32 cluster, bytes32 modelId, uint64 samples, uint32 metric) external {
        RoundState memory r = _requireRound(round);
        if (r.phase != PHASE_COMMIT) revert WrongPhase(PHASE_COMMIT, r.phase);
        Member storage m = _members[msg.sender];
        uint8 status = m.status;
        if (status != MEMBER_ACTIVE && status != MEMBER_LEAVING) revert NotMember(msg.sender);
        if (m.lastCommit == round) revert AlreadyCommitted(round, msg.sender);
        uint32 expected = ClusterMath.clusterOfIndex(m.index, r.memberCount, r.clusterCount);
        if (cluster != expected) revert WrongCluster(expected, cluster);
        if (samples == 0) revert ZeroSamples();
        if (samples > _maxSamples) revert TooManySamples(samples, _maxSamples);
        if (modelId == bytes32(0)) revert ZeroModel();
        m.lastCommit = round;
        _round.commits = r.commits + 1;
        emit ModelCommitted(round, cluster, msg.sender, modelId, samples, metric);
    }

    // ---------------------------------------------------------------------------------------------------- close

    /// @notice Closes the commit phase and fixes the election block: the leaders are drawn by drawLeaders, from that
    ///         block's hash, which does not exist yet when the closer decides to close (docs/contracts-interface.md).
    ///         Allowed when every member committed, or when the deadline passed and the quorum committed, or — so a
    ///         swarm with dead members does not stall — once a second commit window has passed after the deadline.
    function close(uint64 round) external {
        RoundState memory r = _requireRound(round);
        if (r.phase != PHASE_COMMIT) revert WrongPhase(PHASE_COMMIT, r.phase);
        bool everyone = r.commits == r.memberCount;
        bool quorum = block.timestamp >= r.deadline && r.commits >= _minPeers;
        bool grace = block.timestamp >= uint256(r.deadline) + _commitWindow;
        if (!everyone && !quorum && !grace) revert CloseTooEarly(r.deadline, r.commits, _minPeers);

        uint64 at = uint64(block.number) + ELECTION_DELAY;
        _round.phase = PHASE_ELECTION;
        _progress = Progress({phaseStartedAt: uint40(block.timestamp), remaining: 0, merged: 0, electionBlock: at, contested: 0, drawn: 0, endorsed: 0});
        emit RoundClosed(round, at, r.commits);
    }

    /// @notice Draws one leader per cluster among its committers that did not opt out and are not cooling down, from
    ///         the hash of the election block fixed at the close. Anyone may call it. Before the election block has
    ///         been mined over, it does nothing (on an automining chain, that call is what mines the election block);
    ///         when the block is more than 256 blocks old (its hash is out of reach), it fixes a new one. One call draws
    ///         one batch of clusters (DRAW_BATCH_CLUSTERS, DRAW_BATCH_MEMBERS): the round stays in the Election phase,
    ///         and the next call goes on with the same randomness, until every cluster is drawn.
    function drawLeaders(uint64 round) external {
        RoundState memory r = _requireRound(round);
        if (r.phase != PHASE_ELECTION) revert WrongPhase(PHASE_ELECTION, r.phase);
        Progress memory p = _progress;
        bytes32 randomness;
        if (p.drawn == 0) {
            if (block.number <= p.electionBlock) return;
            bytes32 seed = blockhash(p.electionBlock);
            if (seed == bytes32(0)) {
                uint64 next = uint64(block.number) + ELECTION_DELAY;
                _progress.electionBlock = next;
                emit ElectionDeferred(round, next);
                return;
            }
            randomness = keccak256(abi.encode(seed, address(this), round, r.commits));
            _randomness = randomness;
            emit LeadersDrawn(round, randomness, p.electionBlock);
        } else {
            randomness = _randomness;
        }

        uint256 c = p.drawn;
        uint256 end = c + DRAW_BATCH_CLUSTERS;
        if (end > r.clusterCount) end = r.clusterCount;
        uint256 scanned;
        while (c < end && scanned < DRAW_BATCH_MEMBERS) {
            uint256 size;
            bool led;
            (led, size) = _elect(round, c, randomness, r);
            if (led) ++p.remaining; // counts the led clusters until the draw ends
            scanned += size;
            ++c;
        }
        if (c < r.clusterCount) {
            p.drawn = uint32(c);
            _progress = p;
            return;
        }
        if (p.remaining == 0) {
            _openRound(r.number + 1);
            return;
        }
        _round.phase = PHASE_MERGE;
        _progress = Progress({phaseStartedAt: uint40(block.timestamp), remaining: p.remaining, merged: 0, electionBlock: 0, contested: 0, drawn: 0, endorsed: 0});
    }

    /// @notice In the SemiGlobal phase, when its objection window ends (semi-global models are accepted from then on), else 0.
    function objectionDeadline() external view returns (uint64) {
        return _round.phase == PHASE_SEMI_GLOBAL ? uint64(_windowEnd()) : 0;
    }

    /// @notice The election block of the current round while its leaders are not drawn (phase Election), else 0.
    function electionBlock() external view returns (uint64) {
        return _round.phase == PHASE_ELECTION ? _progress.electionBlock : 0;
    }

    /// @return led whether the cluster got a leader (false: no committers, or all of them opted out)
    /// @return size the cluster's member count
    function _elect(uint64 round, uint256 c, bytes32 randomness, RoundState memory r) private returns (bool led, uint256 size) {
        uint256 first;
        (first, size) = ClusterMath.clusterRange(c, r.memberCount, r.clusterCount);
        address[] memory eligible = new address[](size);
        uint256 eligibleCount;
        uint32 committers;
        for (uint256 i = first; i < first + size; ++i) {
            address a = _ring[i];
            Member storage m = _members[a];
            if (m.lastCommit == round) {
                ++committers;
                if (!m.optedOut && !_coolingDown(m, round)) eligible[eligibleCount++] = a;
            }
        }
        if (eligibleCount == 0) {
            _clusters[c] = ClusterState({
                leader: address(0),
                electedAt: uint40(block.timestamp),
                attempt: 0,
                status: CLUSTER_SKIPPED,
                committers: uint16(committers),
                objections: 0
            });
            emit ClusterSkipped(round, uint32(c), committers);
            return (false, size);
        }
        address leader = eligible[uint256(keccak256(abi.encode(randomness, c))) % eligibleCount];
        _clusters[c] = ClusterState({
            leader: leader,
            electedAt: uint40(block.timestamp),
            attempt: 0,
            status: CLUSTER_AWAITING_MERGE,
            committers: uint16(committers),
            objections: 0
        });
        emit LeaderElected(round, uint32(c), leader, 0);
        return (true, size);
    }

    // ---------------------------------------------------------------------------------------------------- merge

    /// @param inputs the committed model ids the leader merged (the audit checks them against the commits)
    function publishMerge(uint64 round, uint32 cluster, bytes32 modelId, bytes32[] calldata inputs) external {
        _clusterFinished(_publishMerge(round, cluster, modelId, inputs), true);
    }

    /// @notice publishMerge for a merge that left inputs out: `dropped` are committed ids it did not merge, each with
    ///         its reason code, so every checker reproduces the same drops (docs/contracts-interface.md).
    function publishMergeWithDrops(
        uint64 round,
        uint32 cluster,
        bytes32 modelId,
        bytes32[] calldata inputs,
        bytes32[] calldata dropped,
        uint8[] calldata reasons
    ) external {
        if (dropped.length != reasons.length) revert DropListMismatch(dropped.length, reasons.length);
        for (uint256 i; i < reasons.length; ++i) {
            if (reasons[i] == 0 || reasons[i] > MAX_DROP_REASON) revert UnknownDropReason(reasons[i]);
        }
        RoundState memory r = _publishMerge(round, cluster, modelId, inputs);
        if (dropped.length > 0) emit InputsDropped(round, cluster, msg.sender, dropped, reasons);
        _clusterFinished(r, true);
    }

    /// @dev Checks and records a merge; the caller emits its drops, then finishes the cluster (which may open the next round).
    function _publishMerge(uint64 round, uint32 cluster, bytes32 modelId, bytes32[] calldata inputs)
        private
        returns (RoundState memory r)
    {
        r = _requireRound(round);
        if (r.phase != PHASE_MERGE) revert WrongPhase(PHASE_MERGE, r.phase);
        ClusterState storage s = _requireLeader(cluster, r, CLUSTER_AWAITING_MERGE);
        if (modelId == bytes32(0)) revert ZeroModel();
        if (inputs.length == 0) revert EmptyList();
        s.status = CLUSTER_MERGED;
        emit MergePublished(round, cluster, msg.sender, modelId, inputs);
    }

    /// @notice The cluster's semi-global model: every standing merge of the round, combined. The list is not passed: once
    ///         the objection window is over and no merge is contested, the standing merges cannot change, so it is the
    ///         same for every cluster and anyone reads it from the MergePublished and MergeVoided events.
    function publishSemiGlobal(uint64 round, uint32 cluster, bytes32 modelId) external {
        RoundState memory r = _requireRound(round);
        if (r.phase != PHASE_SEMI_GLOBAL) revert WrongPhase(PHASE_SEMI_GLOBAL, r.phase);
        ClusterState storage s = _requireLeader(cluster, r, CLUSTER_MERGED);
        Progress memory p = _progress;
        uint256 until = _windowEnd();
        if (block.timestamp < until) revert ObjectionWindowOpen(uint64(until));
        // A contested merge is voided (settleContestedMerge) before anything combines it.
        if (p.contested > 0) revert MergesContested(p.contested);
        if (modelId == bytes32(0)) revert ZeroModel();
        s.status = CLUSTER_DONE;
        _base[cluster] = modelId;
        emit SemiGlobalPublished(round, cluster, msg.sender, modelId);
        _clusterFinished(r, false);
    }

    /// @notice After the merge timeout (from the election, or from the start of the SemiGlobal phase for a semi-global
    ///         publication), anyone may replace a leader that has not published: the next committer after it in ring
    ///         order (within the cluster, wrapping) that did not opt out and has not failed this round leads. With no
    ///         candidate left the cluster is skipped for the rest of the round.
    function replaceLeader(uint64 round, uint32 cluster) external {
        RoundState memory r = _requireRound(round);
        uint8 awaited;
        if (r.phase == PHASE_MERGE) awaited = CLUSTER_AWAITING_MERGE;
        else if (r.phase == PHASE_SEMI_GLOBAL) awaited = CLUSTER_MERGED;
        else revert WrongPhase(PHASE_MERGE, r.phase);
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        ClusterState memory s = _clusters[cluster];
        if (s.status != awaited) revert NothingToReplace(cluster, s.status);
        uint256 start = s.electedAt;
        uint256 phaseStart = _progress.phaseStartedAt;
        // A semi-global cannot be published inside the objection window, so its timeout runs from the window's end.
        if (r.phase == PHASE_SEMI_GLOBAL) phaseStart = _windowEnd();
        if (phaseStart > start) start = phaseStart;
        uint256 at = start + _mergeTimeout;
        if (block.timestamp < at) revert TimeoutNotReached(uint64(at));

        address next = _failLeader(round, cluster, s, r);
        emit LeaderReplaced(round, cluster, s.leader, next, s.attempt + 1);
        // A semi-global leader's replacement leaves the cluster's merge standing, with the votes cast on it.
        if (awaited == CLUSTER_MERGED) {
            MergeSupport memory v = _supports[cluster];
            if (v.round == round && v.attempt == s.attempt) _supports[cluster].attempt = s.attempt + 1;
        }
        _handOver(round, cluster, s, r, next, awaited, s.objections);
    }

    // ---------------------------------------------------------------------------------------------------- objections

    /// @notice A committer of the cluster (not its leader) that recomputed the cluster's published merge and got a
    ///         different model objects to it. Allowed while the merge stands: in the Merge phase, and in the SemiGlobal
    ///         phase until the objection window has passed. When more than half of the cluster's committers other
    ///         than the leader object, the merge is void at once: its leader fails (leaderFailures, cooldown) and the
    ///         next candidate redoes the merge, or, with none left, the cluster is skipped. Fewer objections void it
    ///         at the window's end if they outnumber the supports (settleContestedMerge).
    /// @param leader the leader whose merge the objector recomputed: a vote never counts against a later merge
    function objectToMerge(uint64 round, uint32 cluster, address leader) external {
        (RoundState memory r, ClusterState memory s) = _castVote(round, cluster, leader);
        uint32 supporters = _supportsOf(cluster, round, s.attempt);
        uint32 objections = uint32(s.objections) + 1;
        uint32 needed = (uint32(s.committers) - 1) / 2 + 1; // more than half of the committers other than the leader
        emit MergeObjected(round, cluster, msg.sender, s.leader, objections, needed);
        bool wasContested = s.objections > supporters;
        if (objections >= needed) {
            _voidMerge(round, cluster, s, r, wasContested);
            return;
        }
        _clusters[cluster].objections = uint16(objections);
        if (!wasContested && objections > supporters) ++_progress.contested;
    }

    /// @notice A committer of the cluster (not its leader) that recomputed an objected-to merge and got the same model
    ///         says so. Silence is not a vote: members whose inputs were garbage never vote, so the window's verdict is
    ///         the majority of those who did (see docs/contracts-interface.md, "Objections").
    function supportMerge(uint64 round, uint32 cluster, address leader) external {
        (, ClusterState memory s) = _castVote(round, cluster, leader);
        uint32 supporters = _supportsOf(cluster, round, s.attempt) + 1;
        _supports[cluster] = MergeSupport({round: round, attempt: s.attempt, supporters: uint16(supporters), endorsed: false});
        emit MergeSupported(round, cluster, msg.sender, s.leader, s.objections, supporters);
        if (s.objections == supporters) --_progress.contested; // was objections > supporters - 1
    }

    /// @notice After the objection window, anyone may void a merge that more committers objected to than supported.
    function settleContestedMerge(uint64 round, uint32 cluster) external {
        RoundState memory r = _requireRound(round);
        if (r.phase != PHASE_SEMI_GLOBAL) revert WrongPhase(PHASE_SEMI_GLOBAL, r.phase);
        uint256 until = _windowEnd();
        if (block.timestamp < until) revert ObjectionWindowOpen(uint64(until));
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        ClusterState memory s = _clusters[cluster];
        uint32 supporters = _supportsOf(cluster, round, s.attempt);
        if (s.status != CLUSTER_MERGED || s.objections <= supporters) revert NotContested(cluster, s.objections, supporters);
        _voidMerge(round, cluster, s, r, true);
    }

    /// @notice The votes on the cluster's standing merge (zeros when it has none), and how many standing merges of the
    ///         round are contested (more objections than supporters; no semi-global is accepted while any is).
    function mergeVotes(uint64 round, uint32 cluster)
        external
        view
        returns (uint32 objections, uint32 supporters, uint32 needed, uint32 contested)
    {
        RoundState memory r = _requireRound(round);
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        if (r.phase != PHASE_MERGE && r.phase != PHASE_SEMI_GLOBAL) return (0, 0, 0, 0);
        contested = _progress.contested;
        ClusterState memory s = _clusters[cluster];
        if (s.status == CLUSTER_MERGED) {
            (objections, supporters, needed) = (s.objections, _supportsOf(cluster, round, s.attempt), (uint32(s.committers) - 1) / 2 + 1);
        }
    }

    /// @notice Anyone may hand in the endorsements of `leader`'s standing merge of the cluster by every committer of the
    ///         cluster other than the leader: 65-byte signatures (r ‖ s ‖ v) of endorsementDigest, concatenated in
    ///         ascending order of signer. An endorser recomputed the merge and got the same model. With all of them
    ///         endorsed, no vote on the merge is accepted, and once every standing merge of the round is endorsed the
    ///         objection window is over (see docs/contracts-interface.md, "Endorsements").
    function endorseMerge(uint64 round, uint32 cluster, address leader, bytes calldata signatures) external {
        (RoundState memory r, ClusterState memory s) = _standingMerge(round, cluster, leader);
        MergeSupport memory v = _supports[cluster];
        bool current = v.round == round && v.attempt == s.attempt;
        // A merge someone objected to is decided by the votes; one endorsed already needs nothing more.
        if (s.objections != 0 || (current && v.endorsed)) revert NotEndorsable(cluster, s.objections);
        uint256 count = signatures.length / 65;
        if (signatures.length % 65 != 0 || count + 1 != s.committers) revert EndorsementsIncomplete(uint32(count), uint32(s.committers) - 1);
        bytes32 digest = endorsementDigest(round, cluster, leader);
        address previous;
        for (uint256 i; i < count; ++i) {
            bytes calldata sig = signatures[i * 65:(i + 1) * 65];
            address signer = ecrecover(digest, uint8(sig[64]), bytes32(sig[0:32]), bytes32(sig[32:64]));
            // Ascending order makes the endorsers distinct; ecrecover's zero for a bad signature is never above it.
            if (signer <= previous || signer == leader || !_committedTo(signer, cluster, r)) revert BadEndorsement(i, signer);
            previous = signer;
        }
        _supports[cluster] = MergeSupport({round: round, attempt: s.attempt, supporters: current ? v.supporters : 0, endorsed: true});
        ++_progress.endorsed;
        emit MergeEndorsed(round, cluster, leader, uint32(count));
    }

    /// @notice What a committer signs to endorse `leader`'s merge of the cluster in the round: EIP-191 version 0 data
    ///         for this contract, keccak256(0x19 ‖ 0x00 ‖ this ‖ abi.encode(ENDORSEMENT_TAG, chainid, round, cluster, leader)).
    function endorsementDigest(uint64 round, uint32 cluster, address leader) public view returns (bytes32) {
        return keccak256(abi.encodePacked(bytes2(0x1900), address(this), abi.encode(ENDORSEMENT_TAG, block.chainid, round, cluster, leader)));
    }

    /// @dev Checks that the sender may vote on `leader`'s standing merge of the cluster, once, and records its vote.
    function _castVote(uint64 round, uint32 cluster, address leader) private returns (RoundState memory r, ClusterState memory s) {
        (r, s) = _standingMerge(round, cluster, leader);
        if (r.phase == PHASE_SEMI_GLOBAL) {
            uint256 until = _windowEnd();
            if (block.timestamp >= until) revert ObjectionWindowClosed(uint64(until));
        }
        if (msg.sender == s.leader || !_committedTo(msg.sender, cluster, r)) revert NotObjector(msg.sender);
        // Its endorsers already said it holds: a vote now could only be a second, contrary one.
        MergeSupport memory v = _supports[cluster];
        if (v.endorsed && v.round == round && v.attempt == s.attempt) revert ObjectionWindowClosed(uint64(block.timestamp));
        uint256 key = (uint256(round) << 64) | (uint256(cluster) << 32) | s.attempt;
        if (_lastVote[msg.sender] == key) revert AlreadyObjected(msg.sender);
        _lastVote[msg.sender] = key;
    }

    /// @dev The current round and `leader`'s standing merge of the cluster, which votes and endorsements are about.
    function _standingMerge(uint64 round, uint32 cluster, address leader) private view returns (RoundState memory r, ClusterState memory s) {
        r = _requireRound(round);
        if (r.phase != PHASE_MERGE && r.phase != PHASE_SEMI_GLOBAL) revert WrongPhase(PHASE_MERGE, r.phase);
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        s = _clusters[cluster];
        if (s.status != CLUSTER_MERGED || s.leader != leader) revert NothingToObject(cluster, s.status);
    }

    /// @dev Whether `account` committed to the cluster in the current round (the voters and endorsers of its merge).
    function _committedTo(address account, uint32 cluster, RoundState memory r) private view returns (bool) {
        Member storage m = _members[account];
        return m.lastCommit == r.number && ClusterMath.clusterOfIndex(m.index, r.memberCount, r.clusterCount) == cluster;
    }

    /// @dev In the SemiGlobal phase: when its objection window ends. Once every standing merge is endorsed nobody is
    ///      left who could object, so the window is over from the phase's start.
    function _windowEnd() private view returns (uint256) {
        Progress memory p = _progress;
        return p.endorsed == p.merged ? p.phaseStartedAt : uint256(p.phaseStartedAt) + _objectionWindow;
    }

    function _supportsOf(uint32 cluster, uint64 round, uint16 attempt) private view returns (uint32) {
        MergeSupport memory v = _supports[cluster];
        return v.round == round && v.attempt == attempt ? v.supporters : 0;
    }

    function _voidMerge(uint64 round, uint32 cluster, ClusterState memory s, RoundState memory r, bool wasContested) private {
        address next = _failLeader(round, cluster, s, r);
        emit MergeVoided(round, cluster, s.leader, next, s.attempt + 1);

        // Back to the Merge phase for this cluster: no semi-global can have been published (the objection window
        // holds them), so the round's semi-globals will only combine merges that stood.
        Progress memory p = _progress;
        p.merged -= 1;
        if (wasContested) p.contested -= 1;
        if (r.phase == PHASE_SEMI_GLOBAL) {
            _round.phase = PHASE_MERGE;
            r.phase = PHASE_MERGE;
            p.remaining = 0;
            p.phaseStartedAt = uint40(block.timestamp);
        }
        p.remaining += 1;
        _progress = p;
        _handOver(round, cluster, s, r, next, CLUSTER_AWAITING_MERGE, 0);
    }

    /// @dev The cluster's leader failed (timed out, or its merge was voided): it is on record and sits out its cooldown.
    ///      Returns who leads the next attempt, or address(0) when no candidate is left.
    function _failLeader(uint64 round, uint32 cluster, ClusterState memory s, RoundState memory r) private returns (address) {
        Member storage failed = _members[s.leader];
        failed.lastFailedRound = round;
        ++failed.leaderFailures;
        return _nextCandidate(round, cluster, failed.index, r);
    }

    /// @dev The next attempt of the cluster: led by `next`, which is awaited to publish, or, with no candidate left,
    ///      the cluster is skipped for the rest of the round.
    function _handOver(
        uint64 round,
        uint32 cluster,
        ClusterState memory s,
        RoundState memory r,
        address next,
        uint8 awaited,
        uint16 objections
    ) private {
        uint16 attempt = s.attempt + 1;
        if (next == address(0)) {
            _clusters[cluster] = ClusterState({
                leader: address(0),
                electedAt: uint40(block.timestamp),
                attempt: attempt,
                status: CLUSTER_SKIPPED,
                committers: s.committers,
                objections: 0
            });
            emit ClusterSkipped(round, cluster, 0);
            _clusterFinished(r, false);
            return;
        }
        _clusters[cluster] = ClusterState({
            leader: next,
            electedAt: uint40(block.timestamp),
            attempt: attempt,
            status: awaited,
            committers: s.committers,
            objections: objections
        });
        emit LeaderElected(round, cluster, next, attempt);
    }

    function _nextCandidate(uint64 round, uint32 cluster, uint256 failedIndex, RoundState memory r)
        private
        view
        returns (address)
    {
        (uint256 first, uint256 size) = ClusterMath.clusterRange(cluster, r.memberCount, r.clusterCount);
        uint256 offset = failedIndex - first;
        for (uint256 step = 1; step < size; ++step) {
            address a = _ring[first + (offset + step) % size];
            Member storage m = _members[a];
            if (m.lastCommit == round && !m.optedOut && !_coolingDown(m, round)) return a;
        }
        return address(0);
    }

    /// @dev A member that failed as a leader in round f is not elected in rounds f … f + leaderCooldown.
    function _coolingDown(Member storage m, uint64 round) private view returns (bool) {
        uint64 failed = m.lastFailedRound;
        return failed != 0 && round <= failed + _leaderCooldown;
    }

    function _requireLeader(uint32 cluster, RoundState memory r, uint8 awaited) private view returns (ClusterState storage s) {
        if (cluster >= r.clusterCount) revert NoSuchCluster(cluster, r.clusterCount);
        s = _clusters[cluster];
        uint8 status = s.status;
        if (status == awaited + 1) revert AlreadyPublished(cluster);
        address leader = s.leader;
        if (status != awaited || msg.sender != leader) revert NotLeader(status == awaited ? leader : address(0));
    }

    /// @dev One cluster finished the current phase (published, or was skipped). The last one moves the round on.
    function _clusterFinished(RoundState memory r, bool merged) private {
        Progress memory p = _progress;
        p.remaining -= 1;
        if (merged) p.merged += 1;
        if (p.remaining > 0) {
            _progress = p;
            return;
        }
        if (r.phase == PHASE_MERGE && p.merged > 0) {
            _progress = Progress({
                phaseStartedAt: uint40(block.timestamp), remaining: p.merged, merged: p.merged, electionBlock: 0, contested: p.contested, drawn: 0,
                endorsed: p.endorsed
            });
            _round.phase = PHASE_SEMI_GLOBAL;
            emit SemiGlobalStarted(r.number, p.merged);
            return;
        }
        _openRound(r.number + 1);
    }

    // ---------------------------------------------------------------------------------------------------- opening

    function _openingThreshold() private view returns (uint32) {
        return _minPeers > 1 ? _minPeers : 1;
    }

    /// @dev Applies the queued membership changes and opens round `number`, or leaves it waiting when it has no
    ///      members (the registration that brings enough members opens it). When the changes take more than one
    ///      batch, the round stays in the Opening phase and continueOpening goes on.
    function _openRound(uint64 number) private {
        uint256 sorted = _beginOpening();
        _advanceOpening(number, sorted < OPENING_BATCH ? OPENING_BATCH - sorted : 0);
    }

    /// @notice Applies the next batch of an opening spread over several transactions (phase Opening); the call that
    ///         applies the last change opens the round. Anyone may call it.
    function continueOpening(uint64 round) external {
        RoundState memory r = _requireRound(round);
        if (r.phase != PHASE_OPENING) revert WrongPhase(PHASE_OPENING, r.phase);
        _advanceOpening(round, OPENING_BATCH);
    }

    function _advanceOpening(uint64 number, uint256 budget) private {
        if (_applyChanges(budget)) {
            _finishOpening(number);
        } else if (_round.phase != PHASE_OPENING) {
            _round = RoundState({number: number, openedAt: 0, deadline: 0, memberCount: 0, clusterCount: 0, commits: 0, phase: PHASE_OPENING});
        }
    }

    function _finishOpening(uint64 number) private {
        uint256 n = _ring.length;
        if (n == 0) {
            _round = RoundState({number: number, openedAt: 0, deadline: 0, memberCount: 0, clusterCount: 0, commits: 0, phase: PHASE_WAITING});
            emit RoundWaiting(number);
            return;
        }
        uint32 k = ClusterMath.clusterCount(n, _targetClusterSize);
        uint32 previousK = _baseCount;
        if (k != previousK) {
            _remapBaseModels(previousK, k);
            _baseCount = k;
        }
        uint40 deadline = uint40(block.timestamp + _commitWindow);
        _round = RoundState({
            number: number,
            openedAt: uint40(block.timestamp),
            deadline: deadline,
            memberCount: uint32(n),
            clusterCount: k,
            commits: 0,
            phase: PHASE_COMMIT
        });
        emit RoundOpened(number, deadline, uint32(n), k);
    }

    /// @dev When the cluster count changes, new cluster c (of k) starts from the model of old cluster c·oldK/k, the
    ///      old cluster at the same relative position on the ring.
    function _remapBaseModels(uint32 oldK, uint32 k) private {
        if (oldK == 0) return; // nothing published yet: every cluster starts from genesis (stored as zero)
        bytes32[] memory old = new bytes32[](oldK);
        for (uint256 c; c < oldK; ++c) old[c] = _base[c];
        for (uint256 c; c < k; ++c) {
            bytes32 model = old[(c * oldK) / k];
            if (c >= oldK || old[c] != model) _base[c] = model;
        }
    }

    /// @dev Takes the queued changes for this opening: joiners become active and are sorted by ring id into the front
    ///      of their queue, leavers stay Leaving (with no queue slot) until the compaction reaches them. New changes
    ///      queue in the other list meanwhile. Returns the number of changes taken.
    function _beginOpening() private returns (uint256 count) {
        Opening memory o = _opening;
        address[] storage queue = _queues[o.queue];
        count = queue.length;
        if (count == 0) return 0;

        address[] memory joiners = new address[](count);
        bytes32[] memory joinerIds = new bytes32[](count);
        uint256 joinCount;
        bool leaves;
        for (uint256 j; j < count; ++j) {
            address a = queue[j];
            Member storage m = _members[a];
            m.pendingSlot = 0;
            if (m.status != MEMBER_JOINING) {
                leaves = true;
                continue;
            }
            m.status = MEMBER_ACTIVE;
            joiners[joinCount] = a;
            joinerIds[joinCount++] = m.ringId;
        }
        joiners = _sortByRingId(joiners, joinerIds, joinCount);
        for (uint256 i; i < joinCount; ++i) {
            if (queue[i] != joiners[i]) queue[i] = joiners[i];
        }
        uint32 length = uint32(_ring.length);
        if (!leaves) _setLength(_ring, length + joinCount);
        _opening = Opening({
            pass: leaves ? PASS_COMPACT : PASS_INSERT,
            queue: o.queue ^ 1,
            read: leaves ? 0 : length,
            write: 0,
            length: length,
            joins: uint32(joinCount)
        });
    }

    /// @dev Bottom-up merge sort of the first `n` items by their keys. An insertion sort of 128 joiners cost about
    ///      2.2 M gas in memory moves alone; this costs about 0.6 M.
    function _sortByRingId(address[] memory items, bytes32[] memory keys, uint256 n) private pure returns (address[] memory) {
        address[] memory itemsOut = new address[](n);
        bytes32[] memory keysOut = new bytes32[](n);
        unchecked {
            // every index stays below n <= items.length
            for (uint256 width = 1; width < n; width *= 2) {
                for (uint256 left; left < n; left += 2 * width) {
                    uint256 mid = left + width < n ? left + width : n;
                    uint256 right = left + 2 * width < n ? left + 2 * width : n;
                    (uint256 i, uint256 j) = (left, mid);
                    for (uint256 k = left; k < right; ++k) {
                        if (i < mid && (j >= right || keys[i] < keys[j])) {
                            (keysOut[k], itemsOut[k]) = (keys[i], items[i]);
                            ++i;
                        } else {
                            (keysOut[k], itemsOut[k]) = (keys[j], items[j]);
                            ++j;
                        }
                    }
                }
                (items, itemsOut) = (itemsOut, items);
                (keys, keysOut) = (keysOut, keys);
            }
        }
        return items;
    }

    /// @dev Applies up to `budget` steps of the opening in progress; true when nothing is left to apply.
    function _applyChanges(uint256 budget) private returns (bool done) {
        Opening memory o = _opening;
        if (o.pass == PASS_IDLE) return true;
        uint256 steps;
        if (o.pass == PASS_COMPACT) {
            for (; steps < budget && o.read < o.length; ++steps) {
                address a = _ring[o.read];
                Member storage m = _members[a];
                if (m.status == MEMBER_LEAVING && m.pendingSlot == 0) {
                    _forget(m);
                } else {
                    if (o.write != o.read) {
                        _ring[o.write] = a;
                        m.index = o.write;
                    }
                    ++o.write;
                }
                ++o.read;
            }
            if (o.read == o.length) {
                o.length = o.write;
                o.read = o.write;
                _setLength(_ring, o.write + o.joins);
                o.pass = PASS_INSERT;
            }
        }
        if (o.pass == PASS_INSERT) {
            address[] storage joiners = _queues[o.queue ^ 1];
            for (; steps < budget && o.joins > 0; ++steps) {
                address joiner = joiners[o.joins - 1];
                uint256 at = uint256(o.read) + o.joins - 1;
                address a = joiner;
                if (o.read > 0) {
                    address kept = _ring[o.read - 1];
                    if (_members[kept].ringId > _members[joiner].ringId) a = kept;
                }
                if (a == joiner) --o.joins;
                else --o.read;
                _ring[at] = a;
                Member storage m = _members[a];
                if (m.index != at) m.index = uint32(at);
            }
            if (o.joins == 0) {
                _setLength(joiners, 0);
                o.pass = PASS_IDLE;
            }
        }
        _opening = o;
        return o.pass == PASS_IDLE;
    }

    /// @dev A departed member: only its first slot is cleared (status, counters, position); its key, ring id and
    ///      address stay behind and are overwritten if it registers again, since nothing reads them while the status is
    ///      none.
    function _forget(Member storage m) private {
        (m.status, m.optedOut, m.oddY, m.index, m.lastCommit, m.lastFailedRound, m.leaderFailures) = (MEMBER_NONE, false, false, 0, 0, 0, 0);
    }

    /// @dev Sets a storage array's length without touching its elements. The slots past the end keep their old values,
    ///      so the next rebuild or queue rewrites them for 5 000 gas instead of 22 100; nothing reads past the length.
    function _setLength(address[] storage list, uint256 length) private {
        assembly {
            sstore(list.slot, length)
        }
    }

    function _changes() private view returns (address[] storage) {
        return _queues[_opening.queue];
    }

    function _queueChange(address account) private {
        address[] storage queue = _changes();
        uint256 length = queue.length;
        if (length >= MAX_PENDING_CHANGES) revert TooManyPendingChanges(MAX_PENDING_CHANGES);
        queue.push(account);
        _members[account].pendingSlot = uint32(length + 1);
    }

    /// @dev Removes the queue entry at `slot` (1-based) by moving the last entry into it.
    function _unqueueChange(uint32 slot) private {
        address[] storage queue = _changes();
        uint256 last = queue.length - 1;
        if (slot - 1 != last) {
            address moved = queue[last];
            queue[slot - 1] = moved;
            _members[moved].pendingSlot = slot;
        }
        _setLength(queue, last);
    }

    function _requireRound(uint64 round) private view returns (RoundState memory r) {
        r = _round;
        if (round != r.number) revert WrongRound(r.number, round);
    }
}
