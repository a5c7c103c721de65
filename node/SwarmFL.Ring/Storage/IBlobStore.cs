using SwarmFL.Crypto;

namespace SwarmFL.Ring.Storage;

/// <summary>
/// Local content-addressed storage of model files. Every read is verified against the content id: a blob whose bytes
/// no longer hash to its id is never returned (and is quarantined by stores that can).
/// </summary>
public interface IBlobStore
{
    bool Contains(ContentId cid);
    /// <summary>The verified bytes, or null when absent or corrupt.</summary>
    byte[]? TryRead(ContentId cid);
    /// <summary>Stores the bytes; throws <see cref="ArgumentException"/> when they do not hash to <paramref name="cid"/>.</summary>
    void Put(ContentId cid, ReadOnlySpan<byte> content);
    bool Delete(ContentId cid);
    IReadOnlyList<ContentId> List();
}

/// <summary>A blob store in memory: for simulations and tests of the replication logic.</summary>
public sealed class MemoryBlobStore : IBlobStore
{
    private readonly Dictionary<ContentId, byte[]> _blobs = new();
    private readonly object _gate = new();

    public bool Contains(ContentId cid)
    {
        lock (_gate) return _blobs.ContainsKey(cid);
    }

    public byte[]? TryRead(ContentId cid)
    {
        lock (_gate)
        {
            if (!_blobs.TryGetValue(cid, out var content)) return null;
            if (cid.Matches(content)) return content.ToArray();
            _blobs.Remove(cid);
            return null;
        }
    }

    public void Put(ContentId cid, ReadOnlySpan<byte> content)
    {
        if (!cid.Matches(content)) throw new ArgumentException($"content does not hash to {cid}", nameof(content));
        lock (_gate) _blobs[cid] = content.ToArray();
    }

    public bool Delete(ContentId cid)
    {
        lock (_gate) return _blobs.Remove(cid);
    }

    public IReadOnlyList<ContentId> List()
    {
        lock (_gate) return _blobs.Keys.ToArray();
    }

    /// <summary>Test hook: overwrite stored bytes without checking, as a failing disk or an attacker would.</summary>
    public void CorruptForTest(ContentId cid, byte[] content)
    {
        lock (_gate) _blobs[cid] = content;
    }
}
