using Prometheus;
using SwarmFL.P2P.Hosting;
using SwarmFL.Ring.Storage;
using SwarmFL.Swarm.Hosting;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Node.Operations;

/// <summary>
/// The node's Prometheus metrics (docs/metrics.md lists them). The lower layers keep plain counters; this class owns
/// the names, labels and units, and copies the counters into prometheus-net's registry just before each scrape
/// (counters move forward with IncTo, so they stay monotonic). The only metrics fed as things happen are the
/// per-round histograms, observed when the round reporter closes a round's books.
/// </summary>
public sealed class NodeMetrics
{
    /// <summary>Seconds per activity per round: from 10 ms to about 1.5 h, doubling.</summary>
    private static readonly double[] SecondsBuckets = Histogram.ExponentialBuckets(0.01, 2, 20);

    /// <summary>The activities of a round, as the round books name them.</summary>
    public static readonly string[] Activities = ["train", "evaluate", "transfer", "chain", "aggregate"];

    private readonly object _gate = new();
    private NodeTelemetry? _node;

    private readonly Gauge _round, _phase, _role, _cluster, _samplesPerSecond, _peers, _connections, _ringKnown, _ringSuccessors, _ringSuccessorListLength,
        _ringPredecessor, _modelsStored, _modelsStoredBytes, _committedMetric, _live, _ready;
    private readonly Counter _roundsCompleted, _samplesTrained, _trainingSeconds, _p2pBytes, _p2pMessages, _p2pStreams, _rpcRequests, _rpcErrors, _rpcBytes,
        _txSent, _txReverted, _txResent, _gasUsed, _modelsFetched, _modelsFetchedBytes, _modelsServed, _modelsServedBytes, _dropped, _refused;
    private readonly Histogram _activitySeconds, _roundSeconds;

    public NodeMetrics(string version)
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        f.CreateGauge("swarmfl_build_info", "Always 1; the version label names the running build.", ["version"]).WithLabels(version).Set(1);
        _live = f.CreateGauge("swarmfl_live", "1 while /healthz answers 200: the node's loops run.");
        _ready = f.CreateGauge("swarmfl_ready", "1 while /readyz answers 200: registered, in the ring, following the chain.");

        _round = f.CreateGauge("swarmfl_round", "The round the node is in (0 before the first).");
        _phase = f.CreateGauge("swarmfl_phase", "1 for the phase the node's round is in, 0 for the others.", ["phase"]);
        _role = f.CreateGauge("swarmfl_role", "1 for the node's role in its round, 0 for the others.", ["role"]);
        _cluster = f.CreateGauge("swarmfl_cluster", "The node's cluster in its round (-1: none).");
        _roundsCompleted = f.CreateCounter("swarmfl_rounds_completed_total", "Rounds this process took part in whose books closed (the round ended).");
        _activitySeconds = f.CreateHistogram("swarmfl_activity_seconds", "Seconds the node spent on one activity in one round, observed when the round ends.",
            new HistogramConfiguration { LabelNames = ["activity"], Buckets = SecondsBuckets });
        _roundSeconds = f.CreateHistogram("swarmfl_round_duration_seconds", "Wall-clock seconds from the start of a round to the start of the next, as this node saw them.",
            new HistogramConfiguration { Buckets = SecondsBuckets });

        _samplesTrained = f.CreateCounter("swarmfl_training_samples_total", "Samples passed through the model by local training (samples × epochs).");
        _trainingSeconds = f.CreateCounter("swarmfl_training_seconds_total", "Seconds of local training, held-out scoring included.");
        _samplesPerSecond = f.CreateGauge("swarmfl_training_samples_per_second", "Samples per second of the last local training (NaN before the first).");

        _p2pBytes = f.CreateCounter("swarmfl_p2p_bytes_total", "Bytes of libp2p stream payload per protocol and direction.", ["protocol", "direction"]);
        _p2pMessages = f.CreateCounter("swarmfl_p2p_messages_total", "Length-prefixed libp2p messages per protocol and direction.", ["protocol", "direction"]);
        _p2pStreams = f.CreateCounter("swarmfl_p2p_streams_total", "libp2p streams opened per protocol and direction.", ["protocol", "direction"]);
        _rpcBytes = f.CreateCounter("swarmfl_chain_rpc_bytes_total", "Bytes of JSON-RPC bodies exchanged with the chain endpoint, per direction.", ["direction"]);
        _rpcRequests = f.CreateCounter("swarmfl_chain_rpc_requests_total", "JSON-RPC calls per method (one per call, retries not counted).", ["method"]);
        _rpcErrors = f.CreateCounter("swarmfl_chain_rpc_errors_total", "Failed JSON-RPC calls per method and kind: transport (no answer after retries), rpc_error (the node answered an error, reverts included), malformed.", ["method", "kind"]);

        _txSent = f.CreateCounter("swarmfl_transactions_sent_total", "Transactions the chain node accepted from this node.");
        _txReverted = f.CreateCounter("swarmfl_transactions_reverted_total", "Transactions that reverted (at send or in their receipt).");
        _txResent = f.CreateCounter("swarmfl_transactions_resent_total", "Transactions signed and sent again (a nonce conflict, an out-of-gas estimate).");
        _gasUsed = f.CreateCounter("swarmfl_transactions_gas_used_total", "Gas used by this node's successful transactions.");

        _peers = f.CreateGauge("swarmfl_peers_connected", "Peers with at least one open libp2p connection.");
        _connections = f.CreateGauge("swarmfl_connections", "Open libp2p connections.");
        _ringKnown = f.CreateGauge("swarmfl_ring_known_nodes", "Distinct ring members this node knows (itself, predecessor, successors, fingers): its view of the ring's size.");
        _ringSuccessors = f.CreateGauge("swarmfl_ring_successors", "Distinct live members other than itself in the node's successor list.");
        _ringSuccessorListLength = f.CreateGauge("swarmfl_ring_successor_list_length", "How many successors the node tries to keep.");
        _ringPredecessor = f.CreateGauge("swarmfl_ring_has_predecessor", "1 when the node knows its predecessor.");

        _modelsStored = f.CreateGauge("swarmfl_models_stored", "Model files in the node's store.");
        _modelsStoredBytes = f.CreateGauge("swarmfl_models_stored_bytes", "Bytes of the model files in the node's store.");
        _modelsFetched = f.CreateCounter("swarmfl_models_fetched_total", "Verified model files fetched from other holders.");
        _modelsFetchedBytes = f.CreateCounter("swarmfl_models_fetched_bytes_total", "Bytes of model files fetched from other holders.");
        _modelsServed = f.CreateCounter("swarmfl_models_served_total", "Model files served to peers.");
        _modelsServedBytes = f.CreateCounter("swarmfl_models_served_bytes_total", "Bytes of model files served to peers.");
        _dropped = f.CreateCounter("swarmfl_merge_inputs_dropped_total", "Inputs this node's merges left out, by reason.", ["reason"]);
        _refused = f.CreateCounter("swarmfl_refused_total", "Connections and streams the libp2p host turned away, by kind and reason.", ["kind", "reason"]);
        _committedMetric = f.CreateGauge("swarmfl_committed_metric", "The swarm's headline metric (accuracy, 0-1): local = what this node committed for its model, swarm = the members' weighted validation of the round's base model.", ["scope"]);

        foreach (var phase in Enum.GetNames<RoundPhase>()) _phase.WithLabels(phase).Set(0);
        foreach (var role in Enum.GetNames<NodeRole>()) _role.WithLabels(role).Set(0);
        foreach (var activity in Activities) _activitySeconds.WithLabels(activity);
        _samplesPerSecond.Set(double.NaN);
        Registry.AddBeforeCollectCallback(Collect);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Liveness and readiness as numbers, for alerts that cannot probe the endpoint.</summary>
    public Func<(bool Live, bool Ready)>? Health { get; set; }

    public void Attach(NodeTelemetry node)
    {
        lock (_gate) _node = node;
        node.Rounds.RoundClosed += Observe;
    }

    private void Observe(ClosedRound round)
    {
        _roundsCompleted.Inc();
        foreach (var activity in Activities)
            _activitySeconds.WithLabels(activity).Observe(round.Seconds.GetValueOrDefault(activity));
        if (round.Seconds.TryGetValue("round", out var seconds)) _roundSeconds.Observe(seconds);
    }

    private void Collect()
    {
        NodeTelemetry? node;
        lock (_gate) node = _node;
        if (Health?.Invoke() is { } health)
        {
            _live.Set(health.Live ? 1 : 0);
            _ready.Set(health.Ready ? 1 : 0);
        }
        if (node is null) return;
        CollectRound(node);
        CollectNetwork(node);
        CollectChain(node);
        CollectStore(node);
        var work = node.Work;
        _samplesTrained.IncTo(work.SamplesTrained);
        _trainingSeconds.IncTo(work.TrainingTime.TotalSeconds);
        _samplesPerSecond.Set(work.LastSamplesPerSecond);
        foreach (var (reason, count) in work.DroppedByReason()) _dropped.WithLabels(reason).IncTo(count);
    }

    private void CollectRound(NodeTelemetry node)
    {
        var status = node.Status();
        _round.Set(status.Round);
        foreach (var phase in Enum.GetNames<RoundPhase>()) _phase.WithLabels(phase).Set(phase == status.Phase ? 1 : 0);
        foreach (var role in Enum.GetNames<NodeRole>()) _role.WithLabels(role).Set(role == status.Role ? 1 : 0);
        _cluster.Set(status.Cluster ?? -1);
        _committedMetric.WithLabels("local").Set(status.LocalAccuracy ?? double.NaN);
        _committedMetric.WithLabels("swarm").Set(status.SwarmAccuracy ?? double.NaN);
    }

    private void CollectNetwork(NodeTelemetry node)
    {
        foreach (var (protocol, traffic) in node.Host.Traffic.Snapshot())
        {
            _p2pBytes.WithLabels(protocol, "in").IncTo(traffic.BytesIn);
            _p2pBytes.WithLabels(protocol, "out").IncTo(traffic.BytesOut);
            _p2pMessages.WithLabels(protocol, "in").IncTo(traffic.MessagesIn);
            _p2pMessages.WithLabels(protocol, "out").IncTo(traffic.MessagesOut);
            _p2pStreams.WithLabels(protocol, "in").IncTo(traffic.StreamsIn);
            _p2pStreams.WithLabels(protocol, "out").IncTo(traffic.StreamsOut);
        }
        foreach (var (kind, reason, count) in node.Host.Resources.Refusals.Snapshot()) _refused.WithLabels(LabelOf(kind), LabelOf(reason)).IncTo(count);
        _peers.Set(node.Host.ConnectedPeers.Count);
        _connections.Set(node.Host.ConnectionCount);

        var view = node.Ring.Snapshot();
        var known = new HashSet<SwarmFL.Crypto.PeerId> { view.Self.Peer };
        if (view.Predecessor is { } predecessor) known.Add(predecessor.Peer);
        foreach (var successor in view.Successors) known.Add(successor.Peer);
        foreach (var (_, finger) in view.DistinctFingers) known.Add(finger.Peer);
        _ringKnown.Set(known.Count);
        _ringSuccessors.Set(view.Successors.Where(s => s.Peer != view.Self.Peer && !node.Ring.IsDropped(s)).Select(s => s.Peer).Distinct().Count());
        _ringSuccessorListLength.Set(node.Ring.Options.SuccessorListLength);
        _ringPredecessor.Set(view.Predecessor is null ? 0 : 1);
    }

    private void CollectChain(NodeTelemetry node)
    {
        _rpcBytes.WithLabels("out").IncTo(node.Rpc.BytesSent);
        _rpcBytes.WithLabels("in").IncTo(node.Rpc.BytesReceived);
        foreach (var (method, counts) in node.Rpc.ByMethod())
        {
            _rpcRequests.WithLabels(method).IncTo(counts.Calls);
            if (counts.TransportErrors > 0) _rpcErrors.WithLabels(method, "transport").IncTo(counts.TransportErrors);
            if (counts.RpcErrors > 0) _rpcErrors.WithLabels(method, "rpc_error").IncTo(counts.RpcErrors);
            if (counts.Malformed > 0) _rpcErrors.WithLabels(method, "malformed").IncTo(counts.Malformed);
        }
        var tx = node.Transactions;
        _txSent.IncTo(tx.Sent);
        _txReverted.IncTo(tx.Reverted);
        _txResent.IncTo(tx.Resent);
        _gasUsed.IncTo(tx.GasUsed);
    }

    private void CollectStore(NodeTelemetry node)
    {
        var (count, bytes) = node.Models.Local is DiskBlobStore disk
            ? disk.Totals()
            : (node.Models.Local.List().Count, 0L);
        _modelsStored.Set(count);
        _modelsStoredBytes.Set(bytes);
        var counters = node.Models.Counters;
        _modelsFetched.IncTo(counters.Fetched);
        _modelsFetchedBytes.IncTo(counters.FetchedBytes);
        _modelsServed.IncTo(counters.Served);
        _modelsServedBytes.IncTo(counters.ServedBytes);
    }

    /// <summary>Metric label values in Prometheus' snake_case, from the resource manager's stable names.</summary>
    private static string LabelOf<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
