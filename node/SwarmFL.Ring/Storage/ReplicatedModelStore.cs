using SwarmFL.P2P.Resources;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Storage;

/// <summary>
/// Model files replicated on the ring, as DHash does for Chord: a model lives at successor(cid) and the next
/// <c>replicas − 1</c> successors (its replica set), so it survives the loss of its maker and of up to
/// <c>replicas − 1</c> holders at once. Every holder periodically checks the current replica set of each blob it keeps
/// and pushes copies to members that lack it, which restores the replica count after churn.
/// </summary>
public sealed class ReplicatedModelStore : IBlobService
{
    private readonly ChordNode _node;
    private readonly IBlobStore _local;
    private readonly IBlobTransport _transport;
    private readonly ILogger _log;

    public ReplicatedModelStore(ChordNode node, IBlobStore local, IBlobTransport transport, int replicas = 3, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (replicas > node.Options.SuccessorListLength + 1)
            throw new ArgumentException($"{replicas} replicas need a successor list of at least {replicas - 1}", nameof(replicas));
        _node = node;
        _local = local;
        _transport = transport;
        Replicas = replicas;
        _log = (logger ?? Log.ForContext<ReplicatedModelStore>()).ForContext("Node", node.Self.ToString());
    }

    public int Replicas { get; }
    public IBlobStore Local => _local;
    public ModelStoreCounters Counters { get; } = new();
    /// <summary>Largest replica a peer may hand us; bigger offers are refused before they touch the disk.</summary>
    public long MaxBlobBytes { get; init; } = 256L * 1024 * 1024;
    /// <summary>Sizes a replica offered by a peer may have (a swarm node allows exactly its model's size); null: any up to <see cref="MaxBlobBytes"/>.</summary>
    public Func<long, bool>? AcceptsBlobSize { get; set; }
    /// <summary>Blobs this node has let go (its retention deleted them): a peer's repair pass may not hand them back.</summary>
    public Func<ContentId, bool>? Unwanted { get; set; }
    /// <summary>Disk quota for replicas peers hand us; our own puts are not limited by it.</summary>
    public long MaxStoredBytes { get; init; } = 8L * 1024 * 1024 * 1024;
    /// <summary>Where refused replicas are counted (the host's resource manager).</summary>
    public ResourceManager? Resources { get; init; }

    public sealed record PutResult(ContentId Cid, IReadOnlyList<NodeRef> Holders);

    /// <summary>put(cid, bytes): stores the model at its replica set; returns who accepted it.</summary>
    public async Task<PutResult> PutAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        var cid = ContentId.Of(content.Span);
        var replicaSet = await ReplicaSetAsync(cid, ct).ConfigureAwait(false);
        var holders = new List<NodeRef>();
        foreach (var node in replicaSet)
        {
            if (await StoreAtAsync(node, cid, content, ct).ConfigureAwait(false)) holders.Add(node);
        }
        if (holders.Count == 0) throw new InvalidOperationException($"no member of the replica set of {cid} accepted it");
        return new PutResult(cid, holders);
    }

    /// <summary>
    /// Keeps a copy of a blob this node put or fetched itself. As when a peer offers a replica: a copy already held is not
    /// rewritten, and one past this node's retention is not written back after its sweep deleted it (a fetch of an old
    /// model still returns its bytes to the caller). Returns whether the store holds it.
    /// </summary>
    public bool KeepLocal(ContentId cid, ReadOnlySpan<byte> content)
    {
        if (_local.Contains(cid)) return true;
        if (Unwanted is { } unwanted && unwanted(cid)) return false;
        _local.Put(cid, content);
        return true;
    }

    /// <summary>get(cid): our own verified copy, else a verified copy from the first holder in the replica set that has one.</summary>
    public Task<byte[]?> GetAsync(ContentId cid, CancellationToken ct = default) => GetAsync(cid, null, ct);

    /// <summary>As <see cref="GetAsync(ContentId, CancellationToken)"/>, reporting the bytes received of each fetch attempt.</summary>
    public async Task<byte[]?> GetAsync(ContentId cid, IProgress<long>? received, CancellationToken ct = default)
    {
        if (_local.TryRead(cid) is { } mine) return mine;
        IReadOnlyList<NodeRef> replicaSet;
        try { replicaSet = await ReplicaSetAsync(cid, ct).ConfigureAwait(false); }
        catch (LookupFailedException e)
        {
            _log.Warning("Cannot find the holders of {Cid}: {Reason}", cid, e.Message);
            return null;
        }
        foreach (var node in replicaSet)
        {
            if (node == _node.Self) continue;
            byte[]? content;
            try { content = await _transport.FetchAsync(node, cid, received, ct).ConfigureAwait(false); }
            catch (PeerUnreachableException) { continue; }
            if (content is null) continue;
            if (cid.Matches(content))
            {
                Counters.RecordFetched(content.Length);
                return content;
            }
            _log.Warning("{Peer} sent bytes that do not match {Cid}; ignored", node, cid);
        }
        return null;
    }

    /// <summary>The first <see cref="Replicas"/> live ring members from successor(cid) on.</summary>
    public async Task<IReadOnlyList<NodeRef>> ReplicaSetAsync(ContentId cid, CancellationToken ct = default)
    {
        var result = await _node.FindSuccessorAsync(RingId.Of(cid), ct).ConfigureAwait(false);
        return result.OwnerAndSuccessors.Take(Replicas).ToArray();
    }

    /// <summary>Every blob held here.</summary>
    public IReadOnlyList<ContentId> Held() => _local.List();

    /// <summary>
    /// One re-replication pass over every blob held here: each member of its current replica set that lacks it gets a
    /// copy. Returns how many copies were pushed.
    /// </summary>
    public Task<int> RepairAsync(CancellationToken ct = default) => RepairAsync(_local.List(), ct);

    /// <summary>A re-replication pass over the given blobs (those no longer held are skipped); see <see cref="RepairPlanner"/>.</summary>
    public async Task<int> RepairAsync(IEnumerable<ContentId> blobs, CancellationToken ct = default)
    {
        var pushed = 0;
        foreach (var cid in blobs)
        {
            if (!_local.Contains(cid)) continue;
            IReadOnlyList<NodeRef> replicaSet;
            try { replicaSet = await ReplicaSetAsync(cid, ct).ConfigureAwait(false); }
            catch (LookupFailedException) { continue; }
            pushed += await CopyToMissingAsync(cid, replicaSet.Where(node => node != _node.Self), ct).ConfigureAwait(false);
        }
        if (pushed > 0) _log.Information("Re-replicated {Copies} model copies", pushed);
        return pushed;
    }

    /// <summary>
    /// Graceful leave with key hand-over: every blob held here is pushed to the members of its replica set other than
    /// us (the next successor takes our place), then the node leaves the ring.
    /// </summary>
    public async Task LeaveAsync(CancellationToken ct = default)
    {
        foreach (var cid in _local.List())
        {
            IEnumerable<NodeRef> successors;
            try { successors = (await _node.FindSuccessorAsync(RingId.Of(cid), ct).ConfigureAwait(false)).OwnerAndSuccessors; }
            catch (LookupFailedException) { continue; }
            await CopyToMissingAsync(cid, successors.Where(node => node != _node.Self).Take(Replicas), ct).ConfigureAwait(false);
        }
        await _node.LeaveAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Pushes our copy of the blob to each target that lacks it; returns how many copies were pushed.</summary>
    private async Task<int> CopyToMissingAsync(ContentId cid, IEnumerable<NodeRef> targets, CancellationToken ct)
    {
        var pushed = 0;
        byte[]? content = null;
        foreach (var node in targets)
        {
            try
            {
                if (await _transport.HasAsync(node, cid, ct).ConfigureAwait(false)) continue;
            }
            catch (PeerUnreachableException) { continue; }
            content ??= _local.TryRead(cid);
            if (content is null) break; // our copy went bad and was quarantined
            if (await StoreAtAsync(node, cid, content, ct).ConfigureAwait(false)) pushed++;
        }
        return pushed;
    }

    private async Task<bool> StoreAtAsync(NodeRef node, ContentId cid, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        if (node == _node.Self) return KeepLocal(cid, content.Span);
        try { return await _transport.StoreAsync(node, cid, content, ct).ConfigureAwait(false); }
        catch (PeerUnreachableException e)
        {
            _log.Debug("{Peer} did not take a replica of {Cid}: {Reason}", node, cid, e.Message);
            return false;
        }
    }

    // ---------------------------------------------------------------- answering peers

    Task<bool> IBlobService.HasAsync(ContentId cid, CancellationToken ct) => Task.FromResult(_local.Contains(cid));

    Task<byte[]?> IBlobService.FetchAsync(ContentId cid, CancellationToken ct) => Task.FromResult(_local.TryRead(cid));

    async Task<bool> IBlobService.StoreAsync(NodeRef caller, ContentId cid, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        if (content.Length > MaxBlobBytes) return Refuse(RefusalReason.WrongBlobSize, caller, cid, content.Length, $"more than {MaxBlobBytes} bytes");
        if (AcceptsBlobSize is { } accepts && !accepts(content.Length)) return Refuse(RefusalReason.WrongBlobSize, caller, cid, content.Length, "not the size of the swarm's model");
        if (!cid.Matches(content.Span))
        {
            _log.Warning("{Peer} offered bytes that do not match {Cid}; refused", caller, cid);
            return false;
        }
        if (_local.Contains(cid)) return true;
        if (Unwanted is { } unwanted && unwanted(cid)) return Refuse(RefusalReason.ExpiredBlob, caller, cid, content.Length, "its rounds are past this node's retention");
        if (StoredBytes() + content.Length > MaxStoredBytes) return Refuse(RefusalReason.DiskQuota, caller, cid, content.Length, $"the store would exceed its quota of {MaxStoredBytes} bytes");
        // Only the replica set of a blob holds it: nobody can park data on a node by naming it. One node of slack
        // past the set, because a node that joined just in front of us shifts the set by one until stabilization.
        IReadOnlyList<NodeRef> holders;
        try
        {
            var result = await _node.FindSuccessorAsync(RingId.Of(cid), ct).ConfigureAwait(false);
            holders = result.OwnerAndSuccessors.Take(Replicas + 1).ToArray();
        }
        catch (LookupFailedException e)
        {
            return Refuse(RefusalReason.NotAReplicaHolder, caller, cid, content.Length, $"its replica set cannot be looked up ({e.Message})");
        }
        if (!holders.Contains(_node.Self)) return Refuse(RefusalReason.NotAReplicaHolder, caller, cid, content.Length, "this node is not one of its replica holders");
        _local.Put(cid, content.Span);
        return true;
    }

    private bool Refuse(RefusalReason reason, NodeRef caller, ContentId cid, long bytes, string why)
    {
        _log.Debug("{Peer} offered {Bytes} bytes for {Cid}: refused, {Why}", caller, bytes, cid, why);
        Resources?.Refuse(RefusedKind.Message, reason, caller.Peer.ToString(), bytes);
        return false;
    }

    private long StoredBytes() => _local is DiskBlobStore disk ? disk.List().Sum(cid => disk.Entry(cid)?.Size ?? 0) : 0;
}
