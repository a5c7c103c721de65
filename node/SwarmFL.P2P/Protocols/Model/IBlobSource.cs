using System.Collections.Concurrent;
using SwarmFL.Crypto;

namespace SwarmFL.P2P.Protocols.Model;

/// <summary>An opened blob: its length and a stream positioned at its first byte. Disposing releases it.</summary>
public sealed record BlobContent(long Length, Stream Content) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>Where the model protocol finds the blobs it serves (the Ring and Swarm layers supply the real store).</summary>
public interface IBlobSource
{
    /// <summary>Opens the blob with this content id, or returns null when we do not hold it.</summary>
    ValueTask<BlobContent?> TryOpenAsync(ContentId id, CancellationToken ct);
}

/// <summary>Blobs held in memory (tests and small tools).</summary>
public sealed class MemoryBlobSource : IBlobSource
{
    private readonly ConcurrentDictionary<ContentId, byte[]> _blobs = new();

    public ContentId Add(byte[] content)
    {
        var id = ContentId.Of(content);
        _blobs[id] = content;
        return id;
    }

    /// <summary>Stores bytes under an id they may not match (to test that receivers verify).</summary>
    internal void AddUnchecked(ContentId id, byte[] content) => _blobs[id] = content;

    public ValueTask<BlobContent?> TryOpenAsync(ContentId id, CancellationToken ct)
        => ValueTask.FromResult(_blobs.TryGetValue(id, out var content) ? new BlobContent(content.Length, new MemoryStream(content, writable: false)) : null);
}

/// <summary>Blobs stored as files named by their content id ("bafkrei…") in one directory.</summary>
public sealed class DirectoryBlobSource(string directory) : IBlobSource
{
    public string Directory { get; } = directory;

    public ValueTask<BlobContent?> TryOpenAsync(ContentId id, CancellationToken ct)
    {
        var path = Path.Combine(Directory, id.ToString());
        if (!File.Exists(path)) return ValueTask.FromResult<BlobContent?>(null);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return ValueTask.FromResult<BlobContent?>(new BlobContent(stream.Length, stream));
    }
}
