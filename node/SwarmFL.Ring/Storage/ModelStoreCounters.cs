namespace SwarmFL.Ring.Storage;

/// <summary>Models this node fetched from other holders and served to peers, for metrics. Thread-safe.</summary>
public sealed class ModelStoreCounters
{
    private long _fetched, _fetchedBytes, _served, _servedBytes;

    /// <summary>Verified models received from another holder (local hits are not fetches).</summary>
    public long Fetched => Interlocked.Read(ref _fetched);
    public long FetchedBytes => Interlocked.Read(ref _fetchedBytes);
    /// <summary>Models opened for a peer over /swarmfl/model.</summary>
    public long Served => Interlocked.Read(ref _served);
    public long ServedBytes => Interlocked.Read(ref _servedBytes);

    internal void RecordFetched(long bytes)
    {
        Interlocked.Increment(ref _fetched);
        Interlocked.Add(ref _fetchedBytes, bytes);
    }

    internal void RecordServed(long bytes)
    {
        Interlocked.Increment(ref _served);
        Interlocked.Add(ref _servedBytes, bytes);
    }
}
