using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Ring.Simulation;

/// <summary>
/// Many nodes in one process: every call goes straight to the target's handlers, synchronously, so a simulation driven
/// by a seeded random order is fully deterministic. A node can be failed (it stops answering: callers get
/// <see cref="PeerUnreachableException"/>, as after a timeout) and recovered. Counts every RPC.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly Dictionary<PeerId, Endpoint> _endpoints = new();

    private sealed class Endpoint(IChordService chord)
    {
        public IChordService Chord { get; set; } = chord;
        public IBlobService? Blobs { get; set; }
        public bool Up { get; set; } = true;
    }

    public long MessageCount { get; private set; }

    /// <summary>Registers a node's Chord handlers (and optionally its blob handlers) and returns the transport it sends with.</summary>
    public Transport Attach(NodeRef self, IChordService chord, IBlobService? blobs = null)
    {
        _endpoints[self.Peer] = new Endpoint(chord) { Blobs = blobs };
        return new Transport(this, self);
    }

    /// <summary>A transport for a node whose handlers are registered later (a ChordNode needs its transport first).</summary>
    public Transport TransportFor(NodeRef self) => new(this, self);

    public void Register(NodeRef self, IChordService chord, IBlobService? blobs = null) =>
        _endpoints[self.Peer] = new Endpoint(chord) { Blobs = blobs };

    public void SetBlobService(NodeRef node, IBlobService blobs) => _endpoints[node.Peer].Blobs = blobs;

    public void Fail(NodeRef node) => _endpoints[node.Peer].Up = false;
    public void Recover(NodeRef node) => _endpoints[node.Peer].Up = true;
    public void Remove(NodeRef node) => _endpoints.Remove(node.Peer);
    public bool IsUp(NodeRef node) => _endpoints.TryGetValue(node.Peer, out var endpoint) && endpoint.Up;

    private Endpoint Reach(NodeRef caller, NodeRef target)
    {
        MessageCount++;
        if (!_endpoints.TryGetValue(target.Peer, out var endpoint) || !endpoint.Up)
            throw new PeerUnreachableException(target, $"{target} does not answer");
        if (!_endpoints.TryGetValue(caller.Peer, out var self) || !self.Up)
            throw new PeerUnreachableException(target, $"{caller} is down and cannot send");
        return endpoint;
    }

    public sealed class Transport(InMemoryNetwork network, NodeRef self) : IChordTransport, IBlobTransport
    {
        public Task<LookupStep> FindSuccessorStepAsync(NodeRef target, RingId key, CancellationToken ct) =>
            network.Reach(self, target).Chord.FindSuccessorStepAsync(key, ct);

        public Task<Neighbors> GetNeighborsAsync(NodeRef target, CancellationToken ct) =>
            network.Reach(self, target).Chord.GetNeighborsAsync(ct);

        public Task NotifyAsync(NodeRef target, CancellationToken ct) =>
            network.Reach(self, target).Chord.NotifyAsync(self, ct);

        public Task PingAsync(NodeRef target, CancellationToken ct)
        {
            network.Reach(self, target);
            return Task.CompletedTask;
        }

        public Task LeavingAsync(NodeRef target, NodeRef? predecessor, IReadOnlyList<NodeRef> successors, CancellationToken ct) =>
            network.Reach(self, target).Chord.LeavingAsync(self, predecessor, successors, ct);

        public Task<bool> HasAsync(NodeRef target, ContentId cid, CancellationToken ct) => Blobs(target).HasAsync(cid, ct);

        public Task<byte[]?> FetchAsync(NodeRef target, ContentId cid, CancellationToken ct) => Blobs(target).FetchAsync(cid, ct);

        public Task<bool> StoreAsync(NodeRef target, ContentId cid, ReadOnlyMemory<byte> content, CancellationToken ct) =>
            Blobs(target).StoreAsync(self, cid, content, ct);

        private IBlobService Blobs(NodeRef target) =>
            network.Reach(self, target).Blobs ?? throw new PeerUnreachableException(target, $"{target} does not serve models");
    }
}
