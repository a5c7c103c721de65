using System.Collections.Concurrent;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Training;
using SwarmFL.P2P.PubSub;
using SwarmFL.Ring.Network;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Network.Messages;
using SwarmFL.Swarm.Ports;
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
    private readonly ConcurrentDictionary<EthereumAddress, bool> _memberCache = new();
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
    private TrafficLedger _traffic = null!;
    private RoundReporter _reporter = null!;
    private readonly ValidationBoard _validations = new();
    private readonly WakeSignal _wake = new();
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
        await ConnectChainAsync(ct);
        _ring = await RingNodeHost.StartAsync(new RingNodeOptions { DataDirectory = _dataDirectory.Root, Listen = _options.Listen, Join = _options.Bootstrap }, _log, ct);
        ListenAddress = _ring.Address.ToString();
        _models = new NetworkModelExchange(_ring.Store, _ring.Host, _log) { ModelFileBytes = SafeTensors.FileSize(_options.Model.Layout()) };
        _traffic = new TrafficLedger(_ring.Host.Traffic, _contract.Eth.Rpc.Traffic);
        StartGossip();
        SwarmInfoProtocol.Serve(_ring.Host, Describe);
        await RegisterAsync(ct);
        await ShareGenesisAsync(ct);
        LoadLearning();
        var chainClock = new ChainClock();
        _coordinator = new ChainCoordinator(_contract, Key.Address, chainClock);
        _state = new NodeStateStore(_dataDirectory.StatePath, _log);
        _reporter = new RoundReporter(_timer, _traffic, () => _models.TransferTime, _coordinator, _state, _models, _files, _testSet, _processStart, _log);
        _driver = new RoundDriver(
            new TimedCoordinator(_coordinator, _timer),
            new SizedTransfers(_models, ModelWeights.Initial(_options.Model, 1).ToSafeTensors().Length),
            new TimedLearner(_learner, _timer),
            new TimedMerger(new LearningMergeEngine(_options.Model), _timer),
            new BoardingAnnouncer(new GossipAnnouncer(_gossip, _topic, _log), _validations, Key.PeerId.ToString()),
            _state,
            chainClock,
            _log) { LastRound = _options.Rounds > 0 ? _options.Rounds : null, Observed = _reporter.Observe };
        _log.Information("Node {PeerId} ({Address}) listening on {Listen}, swarm {Contract}", Key.PeerId, Key.Address, ListenAddress, _contract.Address);
    }

    private async Task ConnectChainAsync(CancellationToken ct)
    {
        var eth = new EthClient(new JsonRpcClient(_options.RpcUrl));
        var sender = await TransactionSender.ConnectAsync(eth, Key, null, SwarmCoordinatorAbi.Errors, ct: ct);
        _chainId = (ulong)sender.ChainId;
        _contract = await SwarmCoordinator.AttachAsync(eth, EthereumAddress.Parse(_options.Contract), sender, ct: ct);
        var config = _config = await _contract.ConfigAsync(ct);
        if (!config.ModelSpecHash.AsSpan().SequenceEqual(_options.Model.Hash()))
            throw new InvalidOperationException($"the swarm at {_options.Contract} pins model spec {Hex.Encode(config.ModelSpecHash)}, but this node runs {_options.Model.Name} ({_options.Model.HashHex}); start it with the swarm's --model");
        _topic = GossipAnnouncer.TopicFor(_contract.Address);
    }

    private void StartGossip()
    {
        _gossip = _ring.Host.StartGossipSub(logger: _log);
        _gossip.AddValidator(_topic, async (message, ct) =>
        {
            if (GossipAnnouncer.TryDecode(message) is null) return ValidationResult.Reject;
            // Only registered members speak on the topic: their PeerId's key is the key they registered on chain.
            return message.From.TryGetEthereumAddress() is { } sender && await IsRegisteredAsync(sender, message.From, ct) ? ValidationResult.Accept : ValidationResult.Reject;
        });
        var messages = _gossip.Subscribe(_topic);
        _ = Task.Run(async () =>
        {
            await foreach (var message in messages.ReadAllAsync())
            {
                if (GossipAnnouncer.TryDecode(message) is not { } decoded) continue;
                var announcement = decoded.Announcement;
                if (announcement.Kind == Ports.AnnouncementKind.Validation)
                    _validations.Note(announcement.Model, decoded.From.ToString(), announcement.Accuracy, announcement.Samples);
                else
                {
                    _models.NoteHolder(announcement.Model, decoded.From);
                    // A commit, merge or semi-global was just made: the chain has moved, look now rather than at the next poll.
                    _wake.Set();
                }
            }
        });
    }

    private async Task<bool> IsRegisteredAsync(EthereumAddress account, PeerId peer, CancellationToken ct)
    {
        if (_memberCache.TryGetValue(account, out var known) && known) return true;
        try
        {
            var info = await _contract.MemberInfoAsync(account, ct);
            var registered = info.PeerIdBytes.Length > 0 && info.PeerIdBytes.AsSpan().SequenceEqual(peer.Bytes);
            if (registered) _memberCache[account] = true;
            return registered;
        }
        catch (Exception e) when (e is ChainRpcException or ContractRevertException)
        {
            return false;
        }
    }

    private async Task RegisterAsync(CancellationToken ct)
    {
        // The registration that reaches the quorum also opens round 1 and costs several times more gas; when nodes
        // register at once, a gas estimate made just before another registration lands can fall short. Re-estimating
        // on the new state fixes that, so a revert is retried while we are still not registered.
        for (var attempt = 1; await _contract.MemberStatusAsync(Key.Address, ct) is MemberStatus.None; attempt++)
        {
            try
            {
                await _contract.RegisterAsync(ListenAddress, ct);
                _log.Information("Registered {Address} on {Contract}", Key.Address, _contract.Address);
            }
            catch (ContractRevertException e) when (attempt < 5)
            {
                _log.Warning("Registration attempt {Attempt} reverted ({Reason}); retrying on the current state", attempt, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
        if (_options.OptOutOfLeadership) await _contract.SetLeadershipOptOutAsync(true, ct);
    }

    /// <summary>The genesis model may exist only in the creator's store: whoever has it replicates it on the ring.</summary>
    private async Task ShareGenesisAsync(CancellationToken ct)
    {
        var genesis = ContentId.FromDigest(_config.GenesisModel);
        if (_ring.Store.Local.TryRead(genesis) is { } bytes) await _models.PutAsync(bytes, ct);
    }

    private void LoadLearning()
    {
        var all = MnistDataset.Load(_options.TrainData, MnistSplit.Train);
        if (_options.Limit > 0) all = all.Take(_options.Limit);
        var partition = all.Subset(SwarmFL.Learning.Data.Partitioner.Parse(_options.Partition).Split(all.Labels, _options.Parts, _options.PartitionSeed)[_options.Part]);
        var (train, heldOut) = TorchLearner.SplitHeldOut(partition);
        _learner = new TorchLearner(_options.Model, train, heldOut, _options.Training);
        if (_options.TestData is { } test)
        {
            var testSet = MnistDataset.Load(test, MnistSplit.Test);
            if (_options.TestLimit > 0) testSet = testSet.Take(_options.TestLimit);
            _testSet = new TestSet(_options.Model, new TensorData(testSet));
        }
        _log.Information("Local data: {Train} training and {HeldOut} held-out samples ({Partition}, part {Part} of {Parts})",
            train.Count, heldOut.Count, _options.Partition, _options.Part, _options.Parts);
    }

    /// <summary>
    /// Steps the round driver until cancelled or until the target round has ended. Between steps the loop sleeps only
    /// while there is nothing to do, and wakes early when the chain moves (a new block) or a peer announces a model;
    /// <see cref="SwarmNodeOptions.StepInterval"/> is the longest it sleeps.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watcher = new BlockWatcher(_contract.Eth, _wake, _options.BlockPollInterval).RunAsync(stop.Token);
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
            _lastError = lastError;
            WriteStatus(stopped: false, lastError);
            if (_options.Rounds > 0 && _reporter.LastClosedRound >= _options.Rounds) break;
            try
            {
                // Back off from a failing chain or peer (0.5 s, 1 s, 2 s, … up to 30 s), but not so long after one
                // transient failure that this node becomes the round's straggler.
                if (failures > 0) await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 0.25 * Math.Pow(2, failures))), ct);
                else if (step is { Action: StepAction.Waiting }) await _wake.WaitAsync(_options.StepInterval, ct);
            }
            catch (OperationCanceledException) { break; }
        }
        await stop.CancelAsync();
        await Task.WhenAll(watcher, statusWriter);
        await _reporter.DrainAsync(TimeSpan.FromSeconds(30));
        WriteStatus(stopped: true, lastError);
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
            stopped, _lastError, swarm);
    }

    private static DateTimeOffset ProcessStart()
    {
        try { return new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception) { return DateTimeOffset.UtcNow; }
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
            RpcUrl = _options.RpcUrl,
            Contract = _contract.Address.ToString(),
            ModelSpecJson = _options.Model.CanonicalJson,
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
            },
        };
        info.Listen.AddRange(_ring.Host.ListenAddresses.Select(a => a.ToString()));
        return info;
    }

    public async ValueTask DisposeAsync()
    {
        if (_gossip is not null) await _gossip.DisposeAsync();
        if (_ring is not null) await _ring.DisposeAsync();
        _learner?.Dispose();
        _testSet?.Data.Dispose();
        _dataDirectory.Dispose();
    }
}
