using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Node.Devnet;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Dashboard;

/// <summary>
/// What one dashboard watches. Mode "devnet": a live run directory (nodes found under nodes/*/data, the chain from
/// swarm.json); "run": a finished run directory, read-only from its files; "node": one node's data directory and its chain.
/// </summary>
public sealed record DashboardScope(string Mode, bool Live, string? RunDirectory, IReadOnlyList<(string Name, string DataDirectory)>? NodeDirectories = null,
    RunSwarmFile? Chain = null)
{
    public static DashboardScope Devnet(string runDirectory) => new("devnet", true, runDirectory);
    public static DashboardScope FinishedRun(string runDirectory) => new("run", false, runDirectory);
    public static DashboardScope OneNode(string dataDirectory, string rpcUrl, string contract) =>
        new("node", true, null, [("this node", dataDirectory)], new RunSwarmFile(rpcUrl, contract));
}

/// <summary>
/// The seam between the swarm and the dashboard: reads what the node side exposes (status.json and rounds.jsonl per node,
/// the run directory's files, the contract's events) and nothing else. The chain is read incrementally from the last
/// block seen; when it does not answer (a devnet chain stops with its run) the events already read, or the run's saved
/// chain-events.json, stand.
/// </summary>
public sealed class SwarmSource(DashboardScope scope)
{
    private readonly List<SwarmEvent> _events = [];
    private readonly List<ChainEventView> _views = [];
    private SwarmCoordinator? _contract;
    private RunSwarmFile? _attachedTo;
    private ulong _nextBlock;
    private DateTime _nextChainRead = DateTime.MinValue;
    private static readonly TimeSpan ChainPoll = TimeSpan.FromSeconds(1);

    public async Task<DashboardInputs> ReadAsync(CancellationToken ct)
    {
        var nodes = NodeDirectories().Select(n =>
        {
            var files = new StatusFiles(n.DataDirectory);
            return (n.Name, NodeFiles.ReadStatus(files.StatusPath), StatusFiles.ReadWellFormedRounds(files.RoundsPath).Records);
        }).ToList();
        var run = scope.RunDirectory;
        var saved = run is null ? null : RunFiles.Read<RunChainEventsFile>(run, RunFiles.ChainEvents);
        IReadOnlyList<ChainEventView> events = _views.ToList();
        SwarmInfoView? swarm = null;
        var endpoint = scope.Chain ?? (run is null ? null : RunFiles.Read<RunSwarmFile>(run, RunFiles.Swarm));
        if (scope.Live && endpoint is not null)
        {
            await FollowChainAsync(endpoint, ct);
            events = _views.ToList();
            swarm = ChainEventViews.SwarmInfo(_events, endpoint.Contract, endpoint.RpcUrl);
        }
        if (saved is not null && saved.Events.Count >= events.Count)
        {
            events = saved.Events;
            swarm = saved.Swarm ?? swarm;
        }
        swarm ??= endpoint is null ? null : new SwarmInfoView(endpoint.Contract, endpoint.RpcUrl, null, null, null, null);
        return new DashboardInputs
        {
            Mode = scope.Mode, Live = scope.Live, Nodes = nodes, Events = events, Swarm = swarm,
            Registered = _events.OfType<MemberRegistered>().Select(RegisteredPeer).Where(p => p is not null).Select(p => p!.Value).ToList(),
            ScoredRounds = run is null ? null : RunFiles.Read<RunResults>(run, RunFiles.Rounds),
            Baselines = run is null ? [] : RunFiles.Read<List<BaselineView>>(run, RunFiles.Baselines) ?? [],
            Audit = run is null ? null : RunFiles.Read<AuditView>(run, RunFiles.Audit),
        };
    }

    private IEnumerable<(string Name, string DataDirectory)> NodeDirectories()
    {
        if (scope.NodeDirectories is { } given) return given;
        var root = scope.RunDirectory is null ? null : Path.Combine(scope.RunDirectory, "nodes");
        if (root is null || !Directory.Exists(root)) return [];
        return Directory.GetDirectories(root).Order(StringComparer.Ordinal).Select(d => (Path.GetFileName(d), Path.Combine(d, "data")));
    }

    private async Task FollowChainAsync(RunSwarmFile endpoint, CancellationToken ct)
    {
        if (DateTime.UtcNow < _nextChainRead) return;
        _nextChainRead = DateTime.UtcNow + ChainPoll;
        try
        {
            if (_contract is null || _attachedTo != endpoint)
            {
                var eth = new EthClient(new JsonRpcClient(endpoint.RpcUrl));
                _contract = await SwarmCoordinator.AttachAsync(eth, EthereumAddress.Parse(endpoint.Contract), ct: ct);
                _attachedTo = endpoint;
                _events.Clear();
                _views.Clear();
                _nextBlock = 0;
            }
            var head = await _contract.Eth.BlockNumberAsync(ct);
            if (_nextBlock > head) return;
            var fresh = await _contract.GetEventsAsync(_nextBlock == 0 ? null : _nextBlock, head, ct);
            _events.AddRange(fresh);
            _views.AddRange(fresh.Select(ChainEventViews.From).Where(v => v is not null)!);
            _nextBlock = head + 1;
        }
        catch (Exception e) when (e is ChainRpcException or NoContractCodeException or HttpRequestException or IOException or FormatException
                                      || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            // The chain went away (end of a devnet run) or is not up yet: keep what was read, try again next poll.
            _nextChainRead = DateTime.UtcNow + ChainPoll * 3;
        }
    }

    private static (string Address, string PeerId)? RegisteredPeer(MemberRegistered m)
    {
        try { return (m.Member.ToString(), PeerId.FromBytes(m.PeerIdBytes).ToString()); }
        catch (Exception e) when (e is FormatException or ArgumentException) { return null; }
    }
}
