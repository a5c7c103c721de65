using System.Threading.Channels;
using SwarmFL.Crypto;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Storage;

namespace SwarmFL.Swarm.Hosting;

/// <summary>A test set to score models on for the run results (not part of the protocol).</summary>
/// <summary>A test set and the metric it is scored by (the swarm's headline metric).</summary>
public sealed record TestSet(ModelDefinition Model, TensorData Data, string Metric = SwarmFL.Learning.Metrics.Metric.Accuracy);

/// <summary>One round's books as they closed: seconds per activity (and "round", "startup" when it applies) and traffic by family.</summary>
public sealed record ClosedRound(ulong Round, IReadOnlyDictionary<string, double> Seconds, IReadOnlyDictionary<string, TrafficFigures> Traffic);

/// <summary>
/// Keeps the per-round books (time by activity, traffic, transfer time) and writes one rounds.jsonl line per ended round.
/// The books close the moment the driver first sees the next round, before that round's work starts, so each round is
/// charged exactly its own work. Writing the line (chain reads, optional test-set scoring) happens on a background
/// task, off the round's critical path; lines are still written in round order.
/// </summary>
public sealed class RoundReporter
{
    private readonly PhaseTimer _timer;
    private readonly TrafficLedger _traffic;
    private readonly Func<TimeSpan> _transferTime;
    private readonly ISwarmCoordinator _coordinator;
    private readonly NodeStateStore _state;
    private readonly IModelExchange _models;
    private readonly StatusFiles _files;
    private readonly TestSet? _test;
    private readonly LocalTrainer? _scorer;
    private readonly Serilog.ILogger _log;
    private readonly Channel<ClosedBooks> _closed = Channel.CreateUnbounded<ClosedBooks>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<ClosedBooks> _unsent = [];
    private readonly Task _writer;
    private readonly DateTimeOffset _processStart;
    private bool _started;
    private ulong _firstRoundSeen;
    private ulong _round;
    private DateTimeOffset _roundStartedAt;
    private DateTimeOffset? _openedAt;
    private TimeSpan _transferBefore;

    private sealed record ClosedBooks(ulong Round, Dictionary<string, double> Seconds, IReadOnlyDictionary<string, TrafficFigures> Traffic, bool Resumed = false)
    {
        public ChainRpcFigures? ChainRpc { get; init; }
    }

    public RoundReporter(PhaseTimer timer, TrafficLedger traffic, Func<TimeSpan> transferTime, ISwarmCoordinator coordinator, NodeStateStore state,
        IModelExchange models, StatusFiles files, TestSet? test, DateTimeOffset processStart, Serilog.ILogger log)
    {
        (_timer, _traffic, _transferTime, _coordinator, _state, _models, _files, _test, _log) = (timer, traffic, transferTime, coordinator, state, models, files, test, log);
        _scorer = test is null ? null : new LocalTrainer(test.Model);
        _processStart = _roundStartedAt = processStart;
        // A restarted node resumes after the last line it wrote: the rounds that ended while it was down (or whose line was
        // still queued when it died) are closed and written too, from the chain and the state file, marked as resumed.
        // One that died before its first line was written resumes from the first round its state file knows (0: a new
        // node, whose file starts with the round it first sees).
        _round = LastWrittenRound(files) is { } last ? last + 1 : state.All().Select(r => r.Round).DefaultIfEmpty(0UL).Min();
        _writer = Task.Run(WriteAllAsync);
    }

    // Tolerant: a line torn by the crash must not make the node forget what it wrote (it then skipped the rounds missed).
    private static ulong? LastWrittenRound(StatusFiles files) =>
        StatusFiles.ReadWellFormedRounds(files.RoundsPath).Records.Select(r => (ulong?)r.Round).Max();

    /// <summary>
    /// Raised on the driver's loop when a round this process worked in closes its books (not for rounds resumed from the
    /// chain after a restart). Handlers must be quick; one that throws is ignored.
    /// </summary>
    public event Action<ClosedRound>? RoundClosed;

    /// <summary>The last round whose books are closed (0: none yet).</summary>
    public ulong LastClosedRound { get; private set; }

    /// <summary>Called with every round snapshot, before the driver acts on it. Cheap: no I/O.</summary>
    public void Observe(RoundSnapshot snapshot)
    {
        var now = DateTimeOffset.UtcNow;
        if (!_started)
        {
            // The first round seen is charged from process start: it includes start-up, registration and the wait for a quorum.
            _started = true;
            _firstRoundSeen = snapshot.Round;
            if (_round == 0 || _round > snapshot.Round) _round = snapshot.Round;
            _transferBefore = _transferTime();
        }
        if (snapshot.Phase is not (RoundPhase.Waiting or RoundPhase.Opening)) _openedAt ??= now;
        while (_round < snapshot.Round)
        {
            if (_round < _firstRoundSeen)
            {
                // Ended before this process saw it: no time or traffic of ours belongs to it.
                _unsent.Add(new ClosedBooks(_round, [], new Dictionary<string, TrafficFigures>(), Resumed: true));
                LastClosedRound = _round++;
                continue;
            }
            var seconds = _timer.TakeRound();
            seconds["round"] = (now - _roundStartedAt).TotalSeconds;
            if (_roundStartedAt == _processStart && _openedAt is { } opened) seconds["startup"] = (opened - _processStart).TotalSeconds;
            var transfer = _transferTime();
            seconds["transfer"] = (transfer - _transferBefore).TotalSeconds;
            _transferBefore = transfer;
            var books = new ClosedBooks(_round, seconds, _traffic.TakeRound()) { ChainRpc = _traffic.TakeRoundRpc() };
            _unsent.Add(books);
            LastClosedRound = _round;
            Raise(new ClosedRound(books.Round, books.Seconds, books.Traffic));
            _roundStartedAt = now;
            _round++;
        }
    }

    private void Raise(ClosedRound closed)
    {
        if (RoundClosed is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<ClosedRound>>())
        {
            try { handler(closed); }
            catch (Exception e) { _log.Warning("A round-closed handler failed: {Error}", e.Message); }
        }
    }

    /// <summary>Hands the closed rounds to the writer; called after each step, when the new round's base model is validated.</summary>
    public void Flush()
    {
        foreach (var books in _unsent) _closed.Writer.TryWrite(books);
        _unsent.Clear();
    }

    /// <summary>Writes what is still queued, for at most <paramref name="longest"/>.</summary>
    public async Task DrainAsync(TimeSpan longest)
    {
        Flush();
        _closed.Writer.TryComplete();
        if (await Task.WhenAny(_writer, Task.Delay(longest)) != _writer)
            _log.Warning("Round results not all written within {Seconds} s of stopping", longest.TotalSeconds);
    }

    private async Task WriteAllAsync()
    {
        await foreach (var books in _closed.Reader.ReadAllAsync())
        {
            try
            {
                _files.AppendRound(await BuildAsync(books, CancellationToken.None));
            }
            catch (Exception e)
            {
                _log.Warning("Could not write the results of round {Round}: {Error}", books.Round, e.Message);
            }
        }
    }

    private async Task<RoundResultFile> BuildAsync(ClosedBooks books, CancellationToken ct)
    {
        var round = books.Round;
        var record = _state.Get(round);
        var next = _state.Get(round + 1);
        var commits = await _coordinator.GetCommitsAsync(round, ct);
        var merges = await _coordinator.GetMergesAsync(round, ct);
        var semis = await _coordinator.GetSemiGlobalsAsync(round, ct);
        var commit = commits.FirstOrDefault(c => c.Member == _coordinator.Self);
        var cluster = commit?.Cluster;
        var merged = merges.FirstOrDefault(m => m.Cluster == cluster);
        var semi = semis.FirstOrDefault(s => s.Cluster == cluster);
        var baseValidation = SwarmValidation.FromCommits(commits);
        return new RoundResultFile
        {
            Round = round,
            Cluster = cluster,
            Role = merged?.Leader == _coordinator.Self ? "Leader" : commit is null ? "Observer" : "Member",
            BaseModel = record?.BaseModel,
            BaseHeldOutAccuracy = record?.BaseAccuracy,
            BaseTestAccuracy = await TestAccuracyAsync(NodeStateStore.ParseId(record?.BaseModel), ct),
            BaseSwarmValidation = baseValidation is null ? null : new SwarmValidationFigures(baseValidation.Accuracy, baseValidation.Reports, baseValidation.Samples, "chain"),
            LocalModel = record?.LocalModel,
            LocalHeldOutAccuracy = record?.LocalModel is null ? null : record.LocalTrainAccuracy,
            LocalTestAccuracy = await TestAccuracyAsync(NodeStateStore.ParseId(record?.LocalModel), ct),
            Samples = record?.LocalSamples ?? 0,
            MergedModel = merged?.Model.ToString(),
            SemiGlobalModel = semi?.Model.ToString(),
            // This node's validation of the round's result is the base accuracy it measured when the next round began.
            SemiGlobalHeldOutAccuracy = semi is not null && next?.BaseModel == semi.Model.ToString() ? next.BaseAccuracy : null,
            SemiGlobalTestAccuracy = await TestAccuracyAsync(semi?.Model, ct),
            Seconds = books.Seconds,
            Traffic = books.Traffic,
            ChainRpc = books.ChainRpc,
            Resumed = books.Resumed ? true : null,
        };
    }

    // A round's semi-global model is usually the next round's base model: remember the last score so it is not evaluated twice.
    private (ContentId Model, double Accuracy)? _lastScore;

    private async Task<double?> TestAccuracyAsync(ContentId? id, CancellationToken ct)
    {
        if (id is null || _test is null || _scorer is null) return null;
        if (_lastScore is { } last && last.Model.Equals(id.Value)) return last.Accuracy;
        try
        {
            var weights = SafeTensors.Decode(await _models.GetAsync(id.Value, ct), _test.Model.Layout, $"model {id}");
            var accuracy = await Task.Run(() => _scorer.Evaluate(weights, _test.Data, ct: ct).Score(_test.Metric), ct);
            _lastScore = (id.Value, accuracy);
            return accuracy;
        }
        catch (ModelUnavailableException)
        {
            return null;
        }
    }
}
