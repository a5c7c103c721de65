using Serilog;
using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Swarm.Retention;

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to a node's model store: each sweep dates the stored models by the chain's
/// events and deletes those the policy no longer needs. Between sweeps it answers whether a model is expired, so a
/// peer's repair pass cannot hand back a copy this node has just deleted. <paramref name="pinned"/> models (the
/// genesis model, the model file) are never deleted.
/// </summary>
public sealed class BlobRetention(RetentionPolicy policy, IBlobStore store, IReadOnlySet<ContentId> pinned, ILogger log)
{
    private readonly ILogger _log = log.ForContext<BlobRetention>();
    private volatile ModelRounds _named = ModelRounds.Empty;
    private ulong _currentRound;
    private long _deleted, _deletedBytes;

    public RetentionPolicy Policy => policy;
    public long Deleted => Interlocked.Read(ref _deleted);
    public long DeletedBytes => Interlocked.Read(ref _deletedBytes);

    public bool IsExpired(ContentId id) => !pinned.Contains(id) && policy.IsExpired(_named, id, Interlocked.Read(ref _currentRound));

    /// <summary>Deletes every stored model the policy no longer needs while <paramref name="currentRound"/> runs; returns how many.</summary>
    public int Sweep(IEnumerable<SwarmEvent> events, ulong currentRound)
    {
        if (policy.Rounds == 0) return 0;
        _named = ModelRounds.From(events);
        Interlocked.Exchange(ref _currentRound, currentRound);
        return DeleteExpired();
    }

    /// <summary>
    /// Deletes what the last sweep's dating says is expired, without reading the chain. For after the host has stopped:
    /// a replica accepted while the last sweep ran may have been written after it.
    /// </summary>
    public int SweepAgain() => policy.Rounds == 0 ? 0 : DeleteExpired();

    private int DeleteExpired()
    {
        var currentRound = Interlocked.Read(ref _currentRound);
        int count = 0;
        long bytes = 0;
        foreach (var id in store.List())
        {
            if (!IsExpired(id)) continue;
            var size = store is DiskBlobStore disk ? disk.Entry(id)?.Size ?? 0 : 0;
            if (!store.Delete(id)) continue;
            count++;
            bytes += size;
        }
        if (count == 0) return 0;
        Interlocked.Add(ref _deleted, count);
        Interlocked.Add(ref _deletedBytes, bytes);
        _log.Information("Retention: deleted {Models} models ({Bytes} bytes) older than round {Oldest} (keeping {Rounds} rounds before round {Round})",
            count, bytes, currentRound > (ulong)policy.Rounds ? currentRound - (ulong)policy.Rounds : 0, policy.Rounds, currentRound);
        return count;
    }
}
