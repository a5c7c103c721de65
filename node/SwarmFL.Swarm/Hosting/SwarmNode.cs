using System.Collections.Concurrent;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.P2P.PubSub;
using SwarmFL.Ring.Network;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Network.Messages;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Retention;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// `swarmfl node`: composes the layers into one member of a swarm. The network core is a libp2p host with the Chord
/// ring and its replicated model store (SwarmFL.Ring), gossipsub for announcements, and /swarmfl/swarm for joiners;
/// the chain adapter, the learner and the merge engine plug into the round driver, which the node steps until it is
/// stopped or its target round has ended. A failing step (an unreachable RPC, a missing model) is logged and retried;
/// nothing a peer sends can stop the loop.
/// </summary>
public sealed class SwarmNode : IAsyncDisposable
{
    private readonly SwarmNodeOptions _options;
    private readonly Serilog.ILogger _log;
    private readonly DataDirectory _dataDirectory;
    private readonly StatusFiles _files;
    private readonly PhaseTimer _timer = new();
    private MemberDirectory _members = null!;
    private RingNodeHost _ring = null!;
    private GossipSub _gossip = null!;
    private SwarmCoordinator _contract = null!;
    private SwarmConfig _config = null!;
    /// <summary>Shared by the driver and the round reports, so the contract's events are read once, incrementally.</summary>
    private ChainCoordinator _coordinator = null!;
    private NodeStateStore _state = null!;
    private NetworkModelExchange _models = null!;
    private RoundDriver _driver = null!;
    private TorchLearner _learner = null!;
    private TestSet? _testSet;
    /// <summary>The swarm's pinned model: the one the options named, or the one fetched from peers.</summary>
    private ModelDefinition _model = null!;
    private TrafficLedger _traffic = null!;
    private RoundReporter _reporter = null!;
    private readonly ValidationBoard _validations = new();
    private readonly SwarmFL.Swarm.Verification.EndorsementBoard _endorsements = new();
    private readonly WakeSignal _wake = new();
    private readonly ChainHead _head = new();
    private readonly SwarmCounters _counters = new();
    private TransactionSender _sender = null!;
    private BlobRetention _retention = null!;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;
    private BlockWatcher? _watcher;
    private Task? _watching;
    private volatile bool _loopRunning, _registered;
    private readonly DateTimeOffset _processStart = ProcessStart();
    private string? _lastError;
    private string _topic = "";
    private ulong _chainId;

    private SwarmNode(SwarmNodeOptions options, DataDirectory dataDirectory, Serilog.ILogger log)
    {
        _options = options;
        _dataDirectory = dataDirectory;
        _files = new StatusFiles(dataDirectory.Root);
        _log = log;
    }

    public NodeKey Key { get; private set; } = null!;
    public string ListenAddress { get; private set; } = "";
    public RoundDriver Driver => _driver;

    /// <summary>The counters and state the metrics exporter reads (valid once the node has started).</summary>
    public NodeTelemetry Telemetry => new(_ring.Host, _ring.Node, _ring.Store, _contract.Eth.Rpc.Traffic, _sender.Counters, _counters, _reporter, () => CurrentStatus());

    /// <summary>/healthz: the node's loops run.</summary>
    public HealthAnswer Liveness() => NodeHealth.Liveness(HealthFacts());

    /// <summary>/readyz: registered, in the ring, following the chain.</summary>
    public HealthAnswer Readiness() => NodeHealth.Readiness(HealthFacts());

    private NodeHealthFacts HealthFacts() => new(
        Started: _driver is not null,
        RoundLoopRunning: _loopRunning,
        BlockWatcherRunning: _watching is { IsCompleted: false },
        Registered: _registered,
        AloneInRing: _ring is not null && _ring.Node.Successor == _ring.Node.Self,
        ExpectsPeers: _options.Bootstrap is not null,
        LastHeadRead: _watcher?.LastHeadRead,
        LastChainError: _watcher?.LastError,
        Now: DateTimeOffset.UtcNow);

    public static async Task<SwarmNode> StartAsync(SwarmNodeOptions options, Serilog.ILogger? logger = null, CancellationToken ct = default)
    {
        var problems = options.Problems();
        if (problems.Count > 0) throw new ArgumentException("invalid node configuration:\n  " + string.Join("\n  ", problems));
        var log = (logger ?? Serilog.Log.Logger).ForContext<SwarmNode>();
        var node = new SwarmNode(options, DataDirectory.Open(options.DataDirectory), log);
        try
        {
            await node.StartAsync(ct);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(CancellationToken ct)
    {
        Key = _dataDirectory.LoadOrCreateKey();
        // Loading the data is CPU work that needs nothing from the network: it runs while the node connects to the chain,
        // joins the ring and registers (on a busy machine each took seconds, one after the other). The learner is built
        // once the pinned model is known, which may come from the peers after registration.
        var data = Task.Run(LoadData, CancellationToken.None);
        try
        {
            await ConnectChainAsync(ct);
            _members = new MemberDirectory(_contract, _options.Auditors, _log);
            await _members.StartAsync(_options.MemberRefreshInterval, ct);
            // Registered before the ring is joined: the ring and its store serve members only.
            _ring = await RingNodeHost.StartAsync(new RingNodeOptions
            {
                DataDirectory = _dataDirectory.Root, Listen = _options.Listen, Join = _options.Bootstrap, Membership = _members, Limits = _options.Limits,
                BeforeJoin = async (address, token) =>
                {
                    ListenAddress = address.ToString();
                    var registered = await RegisterAsync(token);
                    await _members.RefreshAsync(token);
                    // The members we join through serve the ring to members only, and learn of us at their next refresh
                    // of the member set: give them that long, so the join is not refused and we are not named by a ring
                    // member before every member counts us as one.
                    if (registered) await Task.Delay(_options.MemberRefreshInterval * 2, token);
                },
            }, _log, ct);
            ListenAddress = _ring.Address.ToString();
            // A member this node never met (a model holder named by a commit or by gossip) is dialled where it registered.
            _ring.Host.PeerStore.Registered = _members.RegisteredAddress;
            _models = new NetworkModelExchange(_ring.Store, _ring.Host, _log) { PeerOfMember = _members.PeerOf };
            _traffic = new TrafficLedger(_ring.Host.Traffic, _contract.Eth.Rpc.Traffic);
            StartGossip();
            SwarmInfoProtocol.Serve(_ring.Host, Describe);
            // Whoever waits for this node (the devnet launcher starts the next nodes once it is registered) need not
            // wait for its data too.
            WriteStartingStatus("registered; loading data");
            _model = await PinnedModel.ResolveAsync(_options, _config, _models, _dataDirectory.Root, _log, ct);
            // Every blob of the swarm is one of its models (or the model file itself), so a replica of any other size is
            // not ours to keep.
            var modelBytes = _model.Initial(1).ToSafeTensors().Length;
            var modelFileBytes = _model.FileBytes.Length;
            _ring.Store.AcceptsBlobSize = size => size == modelBytes || size == modelFileBytes;
            // From here on every fetch is of weights: at most their exact size, under a deadline worked out from it.
            _models.ModelFileBytes = modelBytes;
            _retention = new BlobRetention(_options.Retention, _ring.Store.Local,
                new HashSet<ContentId> { ContentId.FromDigest(_config.GenesisModel), ContentId.Of(_model.FileBytes) }, _log);
            _ring.Store.Unwanted = _retention.IsExpired;
            await ShareGenesisAsync(ct);
        }
        catch
        {
            await data.ContinueWith(_ => { }, TaskScheduler.Default); // observe it; the first failure is the one to report
            throw;
        }
        BuildLearner(await data);
        var chainClock = new ChainClock();
        _head.Advanced += _ => _wake.Set();
        _coordinator = new ChainCoordinator(_contract, Key.Address, chainClock, _head, _options.Confirmations);
        _state = new NodeStateStore(_dataDirectory.StatePath, _log);
        _reporter = new RoundReporter(_timer, _traffic, () => _models.TransferTime, _coordinator, _state, _models, _files, _testSet, _processStart, _log);
        _driver = new RoundDriver(
            new TimedCoordinator(_coordinator, _timer),
            new SizedTransfers(_models, _model.Initial(1).ToSafeTensors().Length),
            new TimedLearner(new CountingLearner(_learner, _counters, _options.Training.Epochs), _timer),
            new TimedMerger(new CountingMerger(new LearningMergeEngine(_model), _counters), _timer),
            new BoardingAnnouncer(new GossipAnnouncer(_gossip, _topic, _log), _validations, Key.PeerId.ToString()),
            _state,
            chainClock,
            _log)
        {
            LastRound = _options.Rounds > 0 ? _options.Rounds : null,
            Observed = _reporter.Observe,
            Endorsements = _endorsements,
            Endorse = _options.Endorse,
            // The sample's secret is a deterministic signature only this key can make: leaders cannot predict it.
            Sampling = SwarmFL.Swarm.Verification.MergeSampling.Of(_options.VerifyMerges,
                Key.SignHash(Keccak256.Hash("swarmfl merge sampling"u8)).ToCompact65()),
        };
        _log.Information("Node {PeerId} ({Address}) listening on {Listen}, swarm {Contract}", Key.PeerId, Key.Address, ListenAddress, _contract.Address);
    }

    private async Task ConnectChainAsync(CancellationToken ct)
    {
        var eth = new EthClient(new JsonRpcClient(_options.RpcUrl));
        var sender = _sender = await TransactionSender.ConnectAsync(eth, Key, null, SwarmCoordinatorAbi.Errors, ct: ct);
        _chainId = (ulong)sender.ChainId;
        _contract = await SwarmCoordinator.AttachAsync(eth, EthereumAddress.Parse(_options.Contract), sender, _options.DeploymentBlock, ct);
        var config = _config = await _contract.ConfigAsync(ct);
        if (_options.Model is { } model && !config.ModelSpecHash.AsSpan().SequenceEqual(_options.DataSpec.PinnedHash(model.Hash())))
            throw new InvalidOperationException(_options.DataSpec.IsDefault
                ? $"the swarm at {_options.Contract} pins model spec {Hex.Encode(config.ModelSpecHash)}, but this node runs {model.Name} ({model.HashHex}); start it with the swarm's --model (and --data-spec, if it has one), or without --model to fetch the swarm's from its peers"
                : $"the swarm at {_options.Contract} pins model spec {Hex.Encode(config.ModelSpecHash)}, but this node's model {model.Name} with its --data-spec gives {Hex.Encode(_options.DataSpec.PinnedHash(model.Hash()))}; start it with the swarm's --model and --data-spec");
        _topic = GossipAnnouncer.TopicFor(_contract.Address);
    }

    private void StartGossip()
    {
        _gossip = _ring.Host.StartGossipSub(logger: _log);
        _gossip.AddValidator(_topic, MemberOnlyAnnouncements.Validator(_members, _ring.Host.Resources));
        var messages = _gossip.Subscribe(_topic);
        _ = Task.Run(async () =>
        {
            await foreach (var message in messages.ReadAllAsync())
            {
                if (GossipAnnouncer.TryDecode(message) is not { } decoded) continue;
                var announcement = decoded.Announcement;
                if (announcement.Kind == Ports.AnnouncementKind.Validation)
                    _validations.Note(announcement.Model, decoded.From.ToString(), announcement.Accuracy, announcement.Samples);
                else if (announcement.Kind == Ports.AnnouncementKind.Endorsement)
                    NoteEndorsement(announcement);
                else
                {
                    _models.NoteHolder(announcement.Model, decoded.From);
                    // A commit, merge or semi-global was just made: the chain has moved, look now rather than at the next poll.
                    _wake.Set();
                }
            }
        });
    }

    /// <summary>
    /// Puts a gossiped endorsement on the board under the signer it recovers to; one that recovers to nobody is dropped
    /// (the leader checks the signers against the cluster's committers, and the contract checks them again). Endorsements
    /// of this node's merges wake the round loop: they may be the last ones it waits for.
    /// </summary>
    private void NoteEndorsement(Ports.ModelAnnouncement endorsement)
    {
        var leader = endorsement.Leader!.Value;
        if (_contract.EndorserOf(endorsement.Round, (uint)endorsement.Cluster, leader, endorsement.Signature) is not { } signer) return;
        if (_endorsements.Note(endorsement.Round, endorsement.Cluster, leader, signer, endorsement.Signature!) && leader == Key.Address) _wake.Set();
    }

    /// <summary>Registers unless already a member; true when this call registered.</summary>
    private async Task<bool> RegisterAsync(CancellationToken ct)
    {
        var registered = false;
        // The registration that reaches the quorum also opens round 1 and costs several times more gas; when nodes
        // register at once, a gas estimate made just before another registration lands can fall short. Re-estimating
        // on the new state fixes that, so a revert is retried while we are still not registered.
        for (var attempt = 1; await _contract.MemberStatusAsync(Key.Address, ct) is MemberStatus.None; attempt++)
        {
            try
            {
                await _contract.RegisterAsync(ListenAddress, ct);
                registered = true;
                _log.Information("Registered {Address} on {Contract}", Key.Address, _contract.Address);
            }
            catch (ContractRevertException e) when (attempt < 5)
            {
                _log.Warning("Registration attempt {Attempt} reverted ({Reason}); retrying on the current state", attempt, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
        _registered = true;
        if (_options.OptOutOfLeadership) await _contract.SetLeadershipOptOutAsync(true, ct);
        return registered;
    }

    /// <summary>The genesis model may exist only in the creator's store: whoever has it replicates it on the ring.</summary>
    /// <summary>So is the model file: every member serves it (by content id, like weights) to nodes that join later.</summary>
    private async Task ShareGenesisAsync(CancellationToken ct)
    {
        var genesis = ContentId.FromDigest(_config.GenesisModel);
        if (_ring.Store.Local.TryRead(genesis) is { } bytes) await _models.PutAsync(bytes, ct);
        await _models.PutAsync(_model.FileBytes, ct);
    }

    /// <summary>
    /// Reads this node's data with the swarm's pinned data spec (task, class numbering), checks it fits, takes this
    /// node's partition and scales it with the pinned constants. MNIST without a spec is read exactly as it always was.
    /// </summary>
    /// <summary>This node's share of the data, scaled by the swarm's rule; needs nothing but the options.</summary>
    private sealed record LocalData(Dataset Train, Dataset HeldOut, TensorData? Test);

    private LocalData LoadData()
    {
        var spec = _options.DataSpec;
        var source = spec.Apply(_options.Data ?? new DataSource { Path = _options.TrainData, Format = DataFormat.Mnist });
        var all = DatasetReader.Load(source, MnistSplit.Train);
        spec.RequireFits(all, source.Path);
        if (_options.Limit > 0) all = all.Take(_options.Limit);
        var partition = spec.Scale(all.Subset(SwarmFL.Learning.Data.Partitioner.Parse(_options.Partition).Split(all, _options.Parts, _options.PartitionSeed)[_options.Part]));
        var (train, heldOut) = TorchLearner.SplitHeldOut(partition);
        TensorData? test = null;
        if (_options.TestData is { } testPath)
        {
            var testSet = DatasetReader.Load(source with { Path = testPath }, MnistSplit.Test);
            spec.RequireFits(testSet, testPath);
            if (_options.TestLimit > 0) testSet = testSet.Take(_options.TestLimit);
            test = new TensorData(spec.Scale(testSet));
        }
        return new LocalData(train, heldOut, test);
    }

    private void BuildLearner(LocalData data)
    {
        var spec = _options.DataSpec;
        _learner = new TorchLearner(_model, data.Train, data.HeldOut, _options.Training, spec.Metric);
        if (data.Test is { } test) _testSet = new TestSet(_model, test, spec.Metric);
        _log.Information("Local data: {Train} training and {HeldOut} held-out samples ({Partition}, part {Part} of {Parts}), {Task} scored by {Metric}",
            data.Train.Count, data.HeldOut.Count, _options.Partition, _options.Part, _options.Parts, spec.Task, spec.Metric);
    }

    private const int FinalStepAttempts = 5;

    /// <summary>
    /// Steps the round driver until cancelled or until the target round has ended. Between steps the loop sleeps only
    /// while there is nothing to do, and wakes early when the chain moves (a new block) or a peer announces a model;
    /// <see cref="SwarmNodeOptions.StepInterval"/> is the longest it sleeps.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _watcher = new BlockWatcher(_contract.Eth, _head, new BlockPollSchedule(_options.BlockPollInterval, _options.BlockPollSlowest), _log)
            { UseSubscription = _options.SubscribeToNewHeads };
        var watcher = _watching = _watcher.RunAsync(stop.Token);
        _loopRunning = true;
        var statusWriter = WriteStatusWhileRunningAsync(stop.Token);
        var failures = 0;
        string? lastError = null;
        while (!ct.IsCancellationRequested)
        {
            StepResult? step = null;
            try
            {
                step = await _driver.StepAsync(ct);
                failures = 0;
                lastError = null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                lastError = e.Message;
                _log.Warning("Round step failed ({Failures} in a row): {Error}", failures, e.Message);
                _log.Debug(e, "Round step failure");
            }
            _reporter.Flush();
            await SweepStoreAsync(force: false, ct);
            _lastError = lastError;
            WriteStatus(stopped: false, lastError);
            // The step that sees the last round end validates the final model; when it failed (a holder was already
            // stopping) it is retried a few times rather than leaving the run's final figures unscored.
            if (_options.Rounds > 0 && _reporter.LastClosedRound >= _options.Rounds && (failures == 0 || failures >= FinalStepAttempts)) break;
            try
            {
                // Back off from a failing chain or peer (0.5 s, 1 s, 2 s, … up to 30 s), but not so long after one
                // transient failure that this node becomes the round's straggler.
                if (failures > 0) await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 0.25 * Math.Pow(2, failures))), ct);
                else if (step is { Action: StepAction.Waiting }) await _wake.WaitAsync(_options.StepInterval, ct);
            }
            catch (OperationCanceledException) { break; }
        }
        _loopRunning = false;
        await stop.CancelAsync();
        await Task.WhenAll(watcher, statusWriter);
        await Task.WhenAll(_reporter.DrainAsync(TimeSpan.FromSeconds(30)), LingerAfterTheLastRoundAsync(ct));
        await SweepStoreAsync(force: true, CancellationToken.None);
        WriteStatus(stopped: true, lastError);
    }

    /// <summary>
    /// After the last round the node keeps serving until every other committer of that round has gossiped its validation
    /// of a final model (so it has one), for at most <see cref="SwarmNodeOptions.FinalServeLinger"/>.
    /// </summary>
    private async Task LingerAfterTheLastRoundAsync(CancellationToken ct)
    {
        if (_options.Rounds == 0 || _options.FinalServeLinger <= TimeSpan.Zero || ct.IsCancellationRequested) return;
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cap.CancelAfter(_options.FinalServeLinger);
        try
        {
            var last = _options.Rounds;
            var finals = (await _coordinator.GetSemiGlobalsAsync(last, cap.Token)).Select(s => s.Model).Distinct().ToList();
            // A committer whose PeerId is unknown here cannot be heard from: the node then serves for the whole linger.
            var others = (await _coordinator.GetCommitsAsync(last, cap.Token)).Where(c => c.Member != Key.Address)
                .Select(c => _members.PeerOf(c.Member)?.ToString()).Distinct().ToList();
            bool AllHaveIt() => others.All(peer => peer is not null && finals.Any(model => _validations.HasReported(model, peer)));
            if (AllHaveIt()) return;
            _log.Information("Last round over; serving the final model until {Count} members have it (at most {Seconds} s)",
                others.Count, _options.FinalServeLinger.TotalSeconds);
            while (!AllHaveIt()) await Task.Delay(TimeSpan.FromMilliseconds(200), cap.Token);
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            // Without the round's commits the node cannot tell who still needs the model: it serves for the whole linger.
            _log.Debug("Linger after the last round could not read the round ({Error}); serving for the whole linger", e.Message);
            try { await Task.Delay(Timeout.Infinite, cap.Token); }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>
    /// Deletes the models the retention no longer needs, dated by the events the driver has read already (no extra
    /// chain call once they are read). At most every few seconds: a round lasts far longer.
    /// </summary>
    private async Task SweepStoreAsync(bool force, CancellationToken ct)
    {
        if (_options.Retention.Rounds == 0 || !force && DateTimeOffset.UtcNow - _lastSweep < TimeSpan.FromSeconds(5)) return;
        _lastSweep = DateTimeOffset.UtcNow;
        try
        {
            using var cap = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cap.CancelAfter(TimeSpan.FromSeconds(30));
            _retention.Sweep(await _coordinator.EventsAsync(cap.Token), _driver.Status.Round);
        }
        catch (Exception e) when (e is ChainRpcException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            // The next sweep tries again; keeping a model a little longer costs nothing but disk.
            _log.Warning("Retention sweep skipped: {Error}", e.Message);
        }
    }

    /// <summary>status.json is also refreshed during a long step (training, transfers), so watchers see its progress.</summary>
    private async Task WriteStatusWhileRunningAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        NodeStatus? written = null;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var status = _driver.Status;
                if (ReferenceEquals(status, written)) continue;
                WriteStatus(stopped: false, _lastError);
                written = status;
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>What the live view shows: the driver's status plus the swarm's validation of the current base model.</summary>
    public NodeStatusFile CurrentStatus(bool stopped = false)
    {
        var status = _driver.Status;
        var baseModel = NodeStateStore.ParseId(_state.Get(status.Round)?.BaseModel);
        var swarm = baseModel is { } id ? _validations.For(id)?.Accuracy : null;
        return new NodeStatusFile(Key.PeerId.ToString(), Key.Address.ToString(), ListenAddress, status.Round, status.Phase.ToString(),
            status.Role.ToString(), status.Cluster, status.Activity, status.Progress, status.LocalAccuracy, status.BaseAccuracy, DateTimeOffset.UtcNow,
            stopped, _lastError, swarm, NetworkFigures.Of(_ring.Host, _members.Count));
    }

    private static DateTimeOffset ProcessStart()
    {
        try { return new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception) { return DateTimeOffset.UtcNow; }
    }

    /// <summary>Before the round driver exists: who and where this node is, and what it is doing.</summary>
    private void WriteStartingStatus(string activity)
    {
        try
        {
            lock (_files)
                _files.WriteStatus(new NodeStatusFile(Key.PeerId.ToString(), Key.Address.ToString(), ListenAddress, 0, SwarmFL.Swarm.Rounds.RoundPhase.Waiting.ToString(),
                    NodeRole.Observer.ToString(), null, activity, null, null, null, DateTimeOffset.UtcNow, false, null));
        }
        catch (IOException e)
        {
            _log.Warning("Could not write status.json: {Error}", e.Message);
        }
    }

    private void WriteStatus(bool stopped, string? error)
    {
        try
        {
            // The loop and the progress ticker both write; one at a time, so an older snapshot never lands last.
            lock (_files) _files.WriteStatus(CurrentStatus(stopped) with { Error = error });
        }
        catch (IOException e)
        {
            _log.Warning("Could not write status.json: {Error}", e.Message);
        }
    }

    private SwarmInfo Describe()
    {
        var status = _driver?.Status;
        var swarmAccuracy = _driver is null ? null : CurrentStatus().SwarmAccuracy;
        var info = new SwarmInfo
        {
            ChainId = _chainId,
            RpcUrl = PublicRpcUrl.For(_options.RpcUrl, _options.PublicRpcUrl),
            Contract = _contract.Address.ToString(),
            DeploymentBlock = _contract.DeploymentBlock,
            // Informative only (a joiner fetches the model file by the chain's hash); TorchScript has no JSON form.
            ModelSpecJson = _model switch
            {
                SwarmFL.Learning.Models.BuiltIn.BuiltInModel b => b.Spec.CanonicalJson,
                SwarmFL.Learning.Models.Declarative.DeclarativeModel d => d.CanonicalJson,
                _ => "",
            },
            // A joiner without --data-spec takes this one, and checks its hash against the chain's before using it.
            DataSpecJson = _options.DataSpec.IsDefault ? "" : _options.DataSpec.Canonical(),
            CurrentRound = status?.Round ?? 0,
            Phase = status?.Phase.ToString() ?? "",
            PeerId = Key.PeerId.ToString(),
            Address = Key.Address.ToString(),
            Status = new NodeStatusInfo
            {
                Role = status?.Role.ToString() ?? "",
                Cluster = status?.Cluster ?? -1,
                Activity = status?.Activity ?? "starting",
                LocalAccuracy = status?.LocalAccuracy ?? -1,
                BaseAccuracy = status?.BaseAccuracy ?? -1,
                SwarmAccuracy = swarmAccuracy ?? -1,
                Resources = NetworkFigures.Of(_ring.Host, _members.Count).Summary(),
            },
        };
        info.Listen.AddRange(_ring.Host.ListenAddresses.Select(a => a.ToString()));
        return info;
    }

    public async ValueTask DisposeAsync()
    {
        if (_gossip is not null) await _gossip.DisposeAsync();
        if (_ring is not null) await _ring.DisposeAsync();
        // Nothing arrives any more: a copy accepted while the last sweep ran, and written after it, goes now.
        _retention?.SweepAgain();
        if (_members is not null) await _members.DisposeAsync();
        _learner?.Dispose();
        _testSet?.Data.Dispose();
        _dataDirectory.Dispose();
    }
}
