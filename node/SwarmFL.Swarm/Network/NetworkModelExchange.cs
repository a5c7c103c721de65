using System.Collections.Concurrent;
using System.Diagnostics;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Storage;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Network;

/// <summary>
/// Model files over the network: kept in the local store, replicated at successor(cid) on the ring, and fetched from
/// the ring's replica set or, failing that, from any peer that announced the id by gossip. Every fetched file is
/// checked against its id (the ring and the model protocol both verify; a file that does not match is never used).
/// </summary>
public sealed class NetworkModelExchange(ReplicatedModelStore ring, Libp2pHost host, Serilog.ILogger? log = null) : IModelExchange
{
    private const long MaxModelBytes = 256L * 1024 * 1024;

    /// <summary>The swarm model's exact file size: a fetch reads at most this much, under a deadline worked out from it.
    /// Null (files of other sizes, such as the swarm's model file fetched before it is known) falls back to the 256 MiB
    /// cap.</summary>
    public long? ModelFileBytes { get; set; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    private FetchLimits Limits => FetchLimits.For(ModelFileBytes ?? MaxModelBytes);
    private readonly Serilog.ILogger _log = (log ?? Serilog.Log.Logger).ForContext<NetworkModelExchange>();
    private readonly ConcurrentDictionary<ContentId, ConcurrentDictionary<PeerId, byte>> _announcedHolders = new();
    private long _transferTicks;

    /// <summary>Time spent fetching models from other nodes, for the per-round timings.</summary>
    public TimeSpan TransferTime => TimeSpan.FromTicks(Interlocked.Read(ref _transferTicks));

    /// <summary>The PeerId a member account registered (the node's member directory), for <see cref="NoteHeldBy"/>.</summary>
    public Func<EthereumAddress, PeerId?>? PeerOfMember { get; set; }

    public void NoteHolder(ContentId id, PeerId peer) =>
        _announcedHolders.GetOrAdd(id, _ => new ConcurrentDictionary<PeerId, byte>())[peer] = 0;

    public void NoteHeldBy(ContentId model, EthereumAddress member)
    {
        if (PeerOfMember?.Invoke(member) is { } peer && peer != host.LocalPeerId) NoteHolder(model, peer);
    }

    public async Task<ContentId> PutAsync(ReadOnlyMemory<byte> model, CancellationToken ct)
    {
        var id = ContentId.Of(model.Span);
        ring.KeepLocal(id, model.Span);
        try
        {
            var result = await ring.PutAsync(model, ct);
            _log.Debug("Stored {Model} at {Holders} replicas", id, result.Holders.Count);
        }
        catch (Exception e) when (e is InvalidOperationException or LookupFailedException or IOException)
        {
            // The local copy stands; the ring's repair pass replicates it once the ring is reachable again.
            _log.Warning("Could not replicate {Model} on the ring yet: {Reason}", id, e.Message);
        }
        return id;
    }

    public Task<byte[]> GetAsync(ContentId id, CancellationToken ct) => GetAsync(id, null, ct);

    /// <summary>
    /// The model from the local store, else its ring replicas, else a peer that announced it; reports the bytes received
    /// of each attempt while the file streams in (the size is not known here: the node's decorator adds it).
    /// </summary>
    public async Task<byte[]> GetAsync(ContentId id, IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        if (ring.Local.TryRead(id) is { } local) return local;
        var received = progress is null ? null : new ReceivedBytes(id, progress);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            // The ring's replica set first, then every peer that announced the id; each holder gets one deadline.
            var holders = new List<PeerId>();
            try { holders.AddRange((await ring.ReplicaSetAsync(id, ct)).Select(n => n.Peer).Where(p => p != host.LocalPeerId)); }
            catch (Exception e) when (e is LookupFailedException or PeerUnreachableException or IOException or InvalidOperationException)
            {
                _log.Debug("Cannot find the ring holders of {Model}: {Reason}", id, e.Message);
            }
            holders.AddRange(_announcedHolders.GetValueOrDefault(id)?.Keys ?? Enumerable.Empty<PeerId>());
            var bytes = await HolderFetch.FirstAsync(id, holders, Limits,
                (peer, max, token) => ModelProtocol.FetchAsync(host, peer, id, max, token, received), Clock, ct);
            ring.KeepLocal(id, bytes);
            return bytes;
        }
        finally
        {
            Interlocked.Add(ref _transferTicks, stopwatch.Elapsed.Ticks);
        }
    }

    /// <summary>Byte counts of one fetch, reported as that model's transfer progress, on the fetching thread (in order).</summary>
    private sealed class ReceivedBytes(ContentId id, IProgress<TransferProgress> progress) : IProgress<long>
    {
        public void Report(long bytes) => progress.Report(new TransferProgress(id, bytes, null));
    }
}
