using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.P2P.Hosting;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Everything of a running node that operators measure, in one place: the libp2p host (traffic per protocol, peers,
/// refusals), the Chord node (successors), the model store (stored, fetched, served), the chain client (RPC calls per
/// method) and its sender (transactions, gas), the node's own work counters, the round books and the live status.
/// Only references: readers take what they need when they are asked (a Prometheus scrape).
/// </summary>
public sealed record NodeTelemetry(
    Libp2pHost Host,
    ChordNode Ring,
    ReplicatedModelStore Models,
    RpcTrafficCounter Rpc,
    TransactionCounters Transactions,
    SwarmCounters Work,
    RoundReporter Rounds,
    Func<NodeStatusFile> Status);
