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
    private TensorData? _testData;
    private LocalTrainer? _evaluator;
    private TrafficLedger _traffic = null!;
    private string _topic = "";
    private ulong _chainId;
    private ulong _lastRound;
    private TimeSpan _transferBefore;
    private DateTimeOffset? _roundStartedAt;

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
        _models = new NetworkModelExchange(_ring.Store, _ring.Host, _log);
        _traffic = new TrafficLedger(_ring.Host.Traffic, _contract.Eth.Rpc.Traffic);
        StartGossip();
        SwarmInfoProtocol.Serve(_ring.Host, Describe);
        await RegisterAsync(ct);
        await ShareGenesisAsync(ct);
        LoadLearning();
        var chainClock = new ChainClock();
        _coordinator = new ChainCoordinator(_contract, Key.Address, chainClock);
        _state = new NodeStateStore(_dataDirectory.StatePath, _log);
        _driver = new RoundDriver(
            new TimedCoordinator(_coordinator, _timer),
            _models,
            new TimedLearner(_learner, _timer),
            new TimedMerger(new LearningMergeEngine(_options.Model, _options.DeviationLimit), _timer),
            new GossipAnnouncer(_gossip, _topic, _log),
            _state,
            chainClock,
            _log) { LastRound = _options.Rounds > 0 ? _options.Rounds : null };
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
                if (GossipAnnouncer.TryDecode(message) is { } decoded && decoded.Announcement.Kind != AnnouncementKind.Validation)
                    _models.NoteHolder(decoded.Announcement.Model, decoded.From);
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
            _testData = new TensorData(testSet);
            _evaluator = new LocalTrainer(_options.Model);
        }
        _log.Information("Local data: {Train} training and {HeldOut} held-out samples ({Partition}, part {Part} of {Parts})",
            train.Count, heldOut.Count, _options.Partition, _options.Part, _options.Parts);
    }

    /// <summary>Steps the round driver until cancelled or until the target round has ended.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
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
                await NoteRoundProgressAsync(step.Round, ct);
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
            WriteStatus(stopped: false, lastError);
            if (_options.Rounds > 0 && _lastRound > _options.Rounds) break;
            var pause = step is { Action: not StepAction.Waiting } ? TimeSpan.Zero
                : failures > 0 ? TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures)))
                : _options.StepInterval;
            try { await Task.Delay(pause, ct); }
            catch (OperationCanceledException) { break; }
        }
        WriteStatus(stopped: true, lastError);
    }

    private async Task NoteRoundProgressAsync(ulong round, CancellationToken ct)
    {
        if (_lastRound == 0) { _lastRound = round; _traffic.TakeRound(); _timer.TakeRound(); _roundStartedAt = DateTimeOffset.UtcNow; return; }
        while (_lastRound < round)
        {
            await WriteRoundResultAsync(_lastRound, ct);
            _lastRound++;
        }
    }

    private async Task WriteRoundResultAsync(ulong round, CancellationToken ct)
    {
        var record = _state.Get(round);
        var merges = await _coordinator.GetMergesAsync(round, ct);
        var semis = await _coordinator.GetSemiGlobalsAsync(round, ct);
        var commit = (await _coordinator.GetCommitsAsync(round, ct)).FirstOrDefault(c => c.Member == Key.Address);
        var cluster = commit?.Cluster;
        var merged = merges.FirstOrDefault(m => m.Cluster == cluster);
        var semi = semis.FirstOrDefault(s => s.Cluster == cluster);
        var seconds = _timer.TakeRound();
        var now = DateTimeOffset.UtcNow;
        if (_roundStartedAt is { } started) seconds["round"] = (now - started).TotalSeconds;
        _roundStartedAt = now;
        var transfer = _models.TransferTime;
        seconds["transfer"] = (transfer - _transferBefore).TotalSeconds;
        _transferBefore = transfer;
        _files.AppendRound(new RoundResultFile
        {
            Round = round,
            Cluster = cluster,
            Role = merged?.Leader == Key.Address ? "Leader" : commit is null ? "Observer" : "Member",
            BaseModel = record?.BaseModel,
            BaseHeldOutAccuracy = record?.BaseAccuracy,
            BaseTestAccuracy = await TestAccuracyAsync(StateId(record?.BaseModel), ct),
            LocalModel = record?.LocalModel,
            LocalTestAccuracy = await TestAccuracyAsync(StateId(record?.LocalModel), ct),
            Samples = record?.LocalSamples ?? 0,
            MergedModel = merged?.Model.ToString(),
            SemiGlobalModel = semi?.Model.ToString(),
            SemiGlobalTestAccuracy = await TestAccuracyAsync(semi?.Model, ct),
            Seconds = seconds,
            Traffic = _traffic.TakeRound(),
        });
    }

    private static ContentId? StateId(string? text) => NodeStateStore.ParseId(text);

    private async Task<double?> TestAccuracyAsync(ContentId? id, CancellationToken ct)
    {
        if (id is null || _testData is null || _evaluator is null) return null;
        try
        {
            var weights = SafeTensors.Decode(await _models.GetAsync(id.Value, ct), _options.Model.Layout(), $"model {id}");
            return _evaluator.Evaluate(weights, _testData, ct: ct).Accuracy;
        }
        catch (ModelUnavailableException)
        {
            return null;
        }
    }

    private void WriteStatus(bool stopped, string? error)
    {
        var status = _driver.Status;
        try
        {
            _files.WriteStatus(new NodeStatusFile(Key.PeerId.ToString(), Key.Address.ToString(), ListenAddress, status.Round, status.Phase.ToString(),
                status.Role.ToString(), status.Cluster, status.Activity, status.Progress, status.LocalAccuracy, status.BaseAccuracy, DateTimeOffset.UtcNow, stopped, error));
        }
        catch (IOException e)
        {
            _log.Warning("Could not write status.json: {Error}", e.Message);
        }
    }

    private SwarmInfo Describe()
    {
        var status = _driver?.Status;
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
        _testData?.Dispose();
        _dataDirectory.Dispose();
    }
}
