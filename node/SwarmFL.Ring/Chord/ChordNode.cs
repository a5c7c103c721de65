using Serilog;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Chord;

/// <summary>
/// One Chord node: its predecessor, successor list and finger table, the lookups it starts, the RPCs it answers and
/// the periodic maintenance that keeps the ring correct.
///
/// Rules followed (Stoica et al., "Chord", SIGCOMM 2001 / ToN 2003, corrected by Zave, "Reasoning about identifier
/// spaces: how to make Chord correct", 2017):
/// <list type="bullet">
/// <item>Lookups are iterative: the initiator asks each hop for the next one and checks every answer (ToN §IV-C notes
/// both styles; iterative lets a node validate answers and route around dead hops).</item>
/// <item>Join only sets the successor list, from a lookup of the joiner's own id; the predecessor stays unknown until
/// someone notifies (Zave: a joining node is not a member until stabilization links it in).</item>
/// <item>Stabilize first finds the first live entry of the successor list, dropping dead ones (Zave's fail-over); it
/// adopts that successor's predecessor only if it lies strictly between and answers (Zave: the original adopts a dead
/// predecessor and can break the ring); the successor list is then rebuilt as the live successor followed by its own
/// list, cut before ourselves (Zave's reconcile).</item>
/// <item>Notify is Zave's "rectify": the notifier becomes predecessor if there is none, if it lies between the current
/// predecessor and us, or if the current predecessor no longer answers.</item>
/// <item>Fix-fingers recomputes finger[i] = successor(n + 2^i), reusing finger[i−1] when n + 2^i lies in
/// (n, finger[i−1]] (the paper's join optimisation), so a refresh costs about log₂ N lookups.</item>
/// <item>Fingers are only hints; correctness rests on successor lists (both papers). Zave proves correctness for
/// rings of at least r + 1 nodes; smaller rings simply have shorter, non-wrapping successor lists here.</item>
/// </list>
/// </summary>
public sealed class ChordNode : IChordService
{
    private readonly IChordTransport _transport;
    private readonly ChordOptions _options;
    private readonly ILogger _log;
    private readonly PeerStrikes _strikes;
    private readonly object _gate = new();
    private readonly NodeRef?[] _fingers = new NodeRef?[RingId.Bits];
    private NodeRef[] _fingerNodes = [];
    private NodeRef? _predecessor;
    private List<NodeRef> _successors;

    public ChordNode(NodeRef self, IChordTransport transport, ChordOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        Self = self;
        _transport = transport;
        _options = options ?? new ChordOptions();
        _log = (logger ?? Log.ForContext<ChordNode>()).ForContext("Node", self.ToString());
        _strikes = new PeerStrikes(_options.FailuresBeforeDrop, _options.DropDuration, time ?? TimeProvider.System);
        _successors = [self];
    }

    public NodeRef Self { get; }
    public ChordOptions Options => _options;
    /// <summary>
    /// Who may be in the ring. A notify from an outsider is ignored and an answer naming one is treated as a lie.
    /// A standalone ring (no swarm) lets everybody in.
    /// </summary>
    public SwarmFL.P2P.Membership.IPeerMembership Membership { get; set; } = SwarmFL.P2P.Membership.PeerMemberships.Everybody;

    public NodeRef Successor
    {
        get { lock (_gate) return _successors[0]; }
    }

    public NodeRef? Predecessor
    {
        get { lock (_gate) return _predecessor; }
    }

    public IReadOnlyList<NodeRef> Successors
    {
        get { lock (_gate) return _successors.ToArray(); }
    }

    public bool IsDropped(NodeRef peer) => _strikes.IsDropped(peer.Peer);

    public RingView Snapshot()
    {
        lock (_gate)
        {
            var fingers = new List<(int, NodeRef)>();
            NodeRef? previous = null;
            for (var i = 0; i < _fingers.Length; i++)
            {
                if (_fingers[i] is { } finger && finger != previous) fingers.Add((i, finger));
                previous = _fingers[i];
            }
            return new RingView(Self, _predecessor, _successors.ToArray(), fingers);
        }
    }

    // ---------------------------------------------------------------- lookups

    /// <summary>find_successor(key), started here and driven hop by hop.</summary>
    public Task<LookupResult> FindSuccessorAsync(RingId key, CancellationToken ct = default)
    {
        var first = LocalStep(key);
        if (first.Done) return Task.FromResult(new LookupResult(key, first.Successors[0], first.Successors.Skip(1).ToArray(), 0));
        return IterateAsync(key, first.NextHops, joining: false, ct);
    }

    /// <summary>The same lookup, but started at another node: how a joining node, which knows nothing yet, finds its place.</summary>
    public Task<LookupResult> FindSuccessorViaAsync(NodeRef start, RingId key, CancellationToken ct = default) =>
        IterateAsync(key, [start], joining: true, ct);

    private async Task<LookupResult> IterateAsync(RingId key, IReadOnlyList<NodeRef> initial, bool joining, CancellationToken ct)
    {
        // A stack of candidate queues: when every candidate a node offered is dead or lying, fall back to the previous
        // node's next candidate. Each accepted hop lies strictly closer to the key, so the walk terminates.
        var pending = new Stack<Queue<NodeRef>>();
        pending.Push(new Queue<NodeRef>(initial));
        var tried = new HashSet<NodeRef>();
        var hops = 0;
        string? lastFailure = null;
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var queue = pending.Peek();
            if (queue.Count == 0)
            {
                pending.Pop();
                continue;
            }
            var hop = queue.Dequeue();
            if (!tried.Add(hop) || _strikes.IsDropped(hop.Peer)) continue;
            if (hop == Self)
            {
                if (joining) continue;
                var local = LocalStep(key);
                if (local.Done) return new LookupResult(key, local.Successors[0], local.Successors.Skip(1).ToArray(), hops);
                pending.Push(new Queue<NodeRef>(local.NextHops));
                continue;
            }
            if (hops >= _options.MaxLookupHops) break;

            LookupStep step;
            try
            {
                hops++;
                step = await _transport.FindSuccessorStepAsync(hop, key, ct).ConfigureAwait(false);
                ChordAnswerValidation.CheckLookupStep(hop, key, step, _options.MaxListLength);
                ChordAnswerValidation.CheckMembers(hop, step.Done ? step.Successors : step.NextHops, Membership);
            }
            catch (Exception e) when (e is PeerUnreachableException or InvalidAnswerException)
            {
                Failed(hop, e);
                lastFailure = e.Message;
                continue;
            }
            _strikes.RecordSuccess(hop.Peer);
            if (step.Done)
            {
                var owners = step.Successors.Where(node => !_strikes.IsDropped(node.Peer)).ToArray();
                if (owners.Length == 0 || owners[0] != step.Successors[0]) continue; // the owner itself is dropped: try another path
                return new LookupResult(key, owners[0], owners.Skip(1).ToArray(), hops);
            }
            pending.Push(new Queue<NodeRef>(step.NextHops));
        }
        throw new LookupFailedException(key, $"no path to the owner of {key.ToShortString()} after {hops} hops" + (lastFailure is null ? "" : $"; last failure: {lastFailure}"));
    }

    /// <summary>What this node answers to one lookup step (find_successor's test, then closest_preceding_node).</summary>
    private LookupStep LocalStep(RingId key)
    {
        lock (_gate)
        {
            if (RingInterval.OpenClosed(key, Self.Id, _successors[0].Id)) return LookupStep.Found(_successors.ToArray());
            return LookupStep.Forward(ClosestPreceding(key));
        }
    }

    /// <summary>The known nodes strictly between us and the key, closest to the key first (caller holds the lock).</summary>
    private NodeRef[] ClosestPreceding(RingId key)
    {
        var best = new List<NodeRef>(_options.NextHopCandidates + 1);
        Consider(_fingerNodes);
        if (_options.RouteViaSuccessorList) Consider(_successors);
        // Always offer the successor last: after stabilization it is alive, so a lookup can still make progress when
        // every finger it was offered has died (fingers are hints; successor lists carry correctness).
        var successor = _successors[0];
        if (!best.Contains(successor) && RingInterval.Open(successor.Id, Self.Id, key) && !_strikes.IsDropped(successor.Peer)) best.Add(successor);
        return best.ToArray();

        void Consider(IEnumerable<NodeRef> nodes)
        {
            foreach (var node in nodes)
            {
                if (!RingInterval.Open(node.Id, Self.Id, key) || best.Contains(node) || _strikes.IsDropped(node.Peer)) continue;
                var distance = RingId.Distance(node.Id, key);
                var index = best.FindIndex(other => RingId.Distance(other.Id, key) > distance);
                if (index < 0) index = best.Count;
                if (index >= _options.NextHopCandidates) continue;
                best.Insert(index, node);
                if (best.Count > _options.NextHopCandidates) best.RemoveAt(best.Count - 1);
            }
        }
    }

    // ---------------------------------------------------------------- join and leave

    /// <summary>
    /// Joins the ring that <paramref name="bootstrap"/> belongs to. The ring must not already hold this id, unless
    /// <paramref name="replacingPreviousRun"/>: a node restarting with its old key may find the ring still pointing at its
    /// previous run (same PeerId, so same id) before the others noticed it was gone, and then takes that entry's place,
    /// behind the successors the ring lists after it.
    /// </summary>
    public async Task JoinAsync(NodeRef bootstrap, CancellationToken ct = default, bool replacingPreviousRun = false)
    {
        if (bootstrap == Self) throw new ArgumentException("a node cannot join through itself", nameof(bootstrap));
        var place = await FindSuccessorViaAsync(bootstrap, Self.Id, ct).ConfigureAwait(false);
        var rejoining = place.Owner == Self;
        if (rejoining && !replacingPreviousRun) throw new InvalidOperationException("the ring already has a node with this id");
        var successor = rejoining ? place.FollowingSuccessors.FirstOrDefault(n => n != Self) : place.Owner;
        if (successor is null) throw new InvalidOperationException($"{bootstrap} knows no ring member other than this node");
        lock (_gate)
        {
            _predecessor = null;
            _successors = BuildSuccessorList(successor, rejoining ? place.FollowingSuccessors.SkipWhile(n => n != successor).Skip(1) : place.FollowingSuccessors);
            Array.Clear(_fingers);
            RebuildFingerNodes();
        }
        if (rejoining) _log.Information("Rejoined the ring via {Bootstrap} in the place of this node's previous run: successor {Successor}", bootstrap, successor);
        else _log.Information("Joined the ring via {Bootstrap}: successor {Successor}", bootstrap, successor);
    }

    /// <summary>
    /// Graceful leave (ToN §IV-E): tell our successor who our predecessor was and our predecessor who our successors
    /// are, so both relink at once instead of waiting for a failure to be detected. Keys are handed over by the store
    /// before this is called.
    /// </summary>
    public async Task LeaveAsync(CancellationToken ct = default)
    {
        NodeRef? predecessor;
        NodeRef[] successors;
        lock (_gate)
        {
            predecessor = _predecessor;
            successors = _successors.ToArray();
        }
        var told = new HashSet<NodeRef> { Self };
        foreach (var neighbour in new[] { successors[0], predecessor })
        {
            if (neighbour is null || !told.Add(neighbour)) continue;
            try { await _transport.LeavingAsync(neighbour, predecessor, successors, ct).ConfigureAwait(false); }
            catch (PeerUnreachableException e) { _log.Debug("Could not tell {Peer} that we leave: {Reason}", neighbour, e.Message); }
        }
        lock (_gate)
        {
            _predecessor = null;
            _successors = [Self];
            Array.Clear(_fingers);
            RebuildFingerNodes();
        }
        _log.Information("Left the ring");
    }

    // ---------------------------------------------------------------- maintenance

    /// <summary>stabilize(): fail over past dead successors, adopt a closer live successor, reconcile the list, notify.</summary>
    public async Task StabilizeAsync(CancellationToken ct = default)
    {
        var (successor, neighbors) = await FirstLiveSuccessorAsync(ct).ConfigureAwait(false);
        if (successor is null || neighbors is null) return;

        if (neighbors.Predecessor is { } candidate && candidate != Self && !_strikes.IsDropped(candidate.Peer)
            && RingInterval.Open(candidate.Id, Self.Id, successor.Id))
        {
            var closer = await AskNeighborsAsync(candidate, ct).ConfigureAwait(false);
            if (closer is not null)
            {
                successor = candidate;
                neighbors = closer;
            }
        }

        lock (_gate) _successors = BuildSuccessorList(successor, neighbors.Successors);
        if (successor == Self) return;
        try
        {
            await _transport.NotifyAsync(successor, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerUnreachableException or InvalidAnswerException)
        {
            Failed(successor, e);
        }
    }

    private async Task<(NodeRef? Successor, Neighbors? Neighbors)> FirstLiveSuccessorAsync(CancellationToken ct)
    {
        while (true)
        {
            NodeRef successor;
            lock (_gate) successor = _successors[0];
            if (successor == Self)
            {
                lock (_gate) return (Self, new Neighbors(_predecessor, _successors.ToArray()));
            }
            var answer = await AskNeighborsAsync(successor, ct).ConfigureAwait(false);
            if (answer is not null) return (successor, answer);

            lock (_gate)
            {
                _successors.Remove(successor);
                if (_successors.Count > 0) continue;
                _successors.Add(Self);
            }
            // Every successor is gone (more than r consecutive failures, which Zave's invariant excludes): recover
            // from any other live node we know, nearest clockwise first; stabilization then walks back to the true successor.
            var fallback = await RecoverSuccessorAsync(ct).ConfigureAwait(false);
            if (fallback is null) lock (_gate) return (Self, new Neighbors(_predecessor, _successors.ToArray()));
            return fallback.Value;
        }
    }

    private async Task<(NodeRef?, Neighbors?)?> RecoverSuccessorAsync(CancellationToken ct)
    {
        NodeRef[] known;
        lock (_gate)
        {
            known = _fingerNodes.Append(_predecessor).OfType<NodeRef>().Where(node => node != Self).Distinct()
                .OrderBy(node => RingId.Distance(Self.Id, node.Id)).ToArray();
        }
        foreach (var node in known)
        {
            var answer = await AskNeighborsAsync(node, ct).ConfigureAwait(false);
            if (answer is null) continue;
            _log.Warning("All successors failed; recovering through {Node}", node);
            lock (_gate) _successors = BuildSuccessorList(node, answer.Successors);
            return (node, answer);
        }
        _log.Warning("All successors and fingers failed; this node is alone");
        return null;
    }

    private async Task<Neighbors?> AskNeighborsAsync(NodeRef node, CancellationToken ct)
    {
        try
        {
            var answer = await _transport.GetNeighborsAsync(node, ct).ConfigureAwait(false);
            ChordAnswerValidation.CheckNeighbors(node, answer, _options.MaxListLength);
            ChordAnswerValidation.CheckMembers(node, answer.Successors.Append(answer.Predecessor), Membership);
            _strikes.RecordSuccess(node.Peer);
            return answer;
        }
        catch (Exception e) when (e is PeerUnreachableException or InvalidAnswerException)
        {
            Failed(node, e);
            return null;
        }
    }

    /// <summary>check_predecessor(): forget a predecessor that no longer answers, so the next notify can replace it.</summary>
    public async Task CheckPredecessorAsync(CancellationToken ct = default)
    {
        var predecessor = Predecessor;
        if (predecessor is null) return;
        try
        {
            await _transport.PingAsync(predecessor, ct).ConfigureAwait(false);
            _strikes.RecordSuccess(predecessor.Peer);
        }
        catch (Exception e) when (e is PeerUnreachableException or InvalidAnswerException)
        {
            lock (_gate)
            {
                if (_predecessor == predecessor) _predecessor = null;
            }
            Failed(predecessor, e);
        }
    }

    /// <summary>fix_fingers(): recompute every finger, one lookup per distinct finger.</summary>
    public async Task FixFingersAsync(CancellationToken ct = default)
    {
        NodeRef? previous = null;
        for (var i = 0; i < RingId.Bits; i++)
        {
            var start = Self.Id + RingId.PowerOfTwo(i);
            NodeRef? finger;
            if (previous is not null && RingInterval.OpenClosed(start, Self.Id, previous.Id))
            {
                finger = previous;
            }
            else
            {
                try { finger = (await FindSuccessorAsync(start, ct).ConfigureAwait(false)).Owner; }
                catch (LookupFailedException) { finger = null; }
            }
            lock (_gate) _fingers[i] = finger;
            previous = finger;
        }
        lock (_gate) RebuildFingerNodes();
    }

    // ---------------------------------------------------------------- answering peers

    Task<LookupStep> IChordService.FindSuccessorStepAsync(RingId key, CancellationToken ct) => Task.FromResult(LocalStep(key));

    Task<Neighbors> IChordService.GetNeighborsAsync(CancellationToken ct)
    {
        lock (_gate) return Task.FromResult(new Neighbors(_predecessor, _successors.ToArray()));
    }

    /// <summary>Zave's rectify: accept the notifier as predecessor if it is closer, or if the current one is dead.</summary>
    async Task IChordService.NotifyAsync(NodeRef caller, CancellationToken ct)
    {
        // A notify proves the caller is up (it dialed us): one dropped for being unreachable has come back, e.g. restarted.
        if (caller == Self || !Membership.IsMember(caller.Peer) || !_strikes.ReinstateIfReachable(caller.Peer)) return;
        NodeRef? current;
        lock (_gate)
        {
            current = _predecessor;
            if (current is null || RingInterval.Open(caller.Id, current.Id, Self.Id))
            {
                _predecessor = caller;
                AdoptIfAlone(caller);
                return;
            }
        }
        if (current == caller) return;
        try
        {
            await _transport.PingAsync(current, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerUnreachableException or InvalidAnswerException)
        {
            lock (_gate)
            {
                if (_predecessor == current) _predecessor = caller;
            }
        }
    }

    Task IChordService.LeavingAsync(NodeRef caller, NodeRef? predecessor, IReadOnlyList<NodeRef> successors, CancellationToken ct)
    {
        // The leaver's lists are hints like any other answer: validate them before use.
        try
        {
            ChordAnswerValidation.CheckSuccessorList(caller, successors, _options.MaxListLength);
            ChordAnswerValidation.CheckMembers(caller, successors.Append(predecessor), Membership);
        }
        catch (InvalidAnswerException) { successors = []; }
        lock (_gate)
        {
            if (_predecessor == caller) _predecessor = predecessor == Self || predecessor == caller ? null : predecessor;
            var wasFirst = _successors[0] == caller;
            _successors.Remove(caller);
            if (wasFirst)
            {
                var handedOver = successors.Where(node => node != caller).ToList();
                _successors = handedOver.Count > 0
                    ? BuildSuccessorList(handedOver[0], handedOver.Skip(1).Concat(_successors).ToList())
                    : _successors.Count > 0 ? _successors : [Self];
            }
            else if (_successors.Count == 0)
            {
                _successors = [Self];
            }
            ForgetFinger(caller);
        }
        _log.Information("{Peer} left the ring", caller);
        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- state helpers (caller holds the lock unless noted)

    /// <summary>A lone node takes its first notifier as successor right away (the paper's two-node ring case).</summary>
    private void AdoptIfAlone(NodeRef caller)
    {
        if (_successors.Count == 1 && _successors[0] == Self) _successors = [caller];
    }

    /// <summary>[successor] followed by its list, without ourselves or anything after us, without repeats or dropped peers, at most r long.</summary>
    private List<NodeRef> BuildSuccessorList(NodeRef successor, IEnumerable<NodeRef> following)
    {
        var list = new List<NodeRef>(_options.SuccessorListLength) { successor };
        if (successor == Self) return list;
        foreach (var node in following)
        {
            if (list.Count >= _options.SuccessorListLength || node == Self) break;
            if (list.Contains(node) || _strikes.IsDropped(node.Peer)) continue;
            if (RingId.Distance(Self.Id, node.Id) <= RingId.Distance(Self.Id, list[^1].Id)) break; // would loop back
            list.Add(node);
        }
        return list;
    }

    private void Failed(NodeRef peer, Exception e)
    {
        var dropped = _strikes.RecordFailure(peer.Peer, lied: e is InvalidAnswerException);
        var unreachable = e is PeerUnreachableException;
        _log.Debug("{Peer} failed: {Reason}", peer, e.Message);
        if (!dropped && !unreachable) return;
        if (dropped) _log.Warning("Dropping {Peer} after {Count} failures: {Reason}", peer, _options.FailuresBeforeDrop, e.Message);
        lock (_gate)
        {
            // An unreachable node is taken out of the fingers at once (they are hints); the successor list only
            // changes in stabilize (fail-over) or when the peer is dropped.
            ForgetFinger(peer);
            if (!dropped) return;
            if (_predecessor == peer) _predecessor = null;
            _successors.Remove(peer);
            if (_successors.Count == 0) _successors.Add(Self);
        }
    }

    private void ForgetFinger(NodeRef peer)
    {
        var changed = false;
        for (var i = 0; i < _fingers.Length; i++)
        {
            if (_fingers[i] != peer) continue;
            _fingers[i] = null;
            changed = true;
        }
        if (changed) RebuildFingerNodes();
    }

    private void RebuildFingerNodes() => _fingerNodes = _fingers.OfType<NodeRef>().Distinct().ToArray();
}
