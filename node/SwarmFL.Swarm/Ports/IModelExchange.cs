using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Ports;

/// <summary>
/// Model files by content id: the local store plus the network (ring replicas and any peer that announced the id).
/// Every fetched file is checked against its id before it is returned; a mismatch is an error, never a result.
/// </summary>
public interface IModelExchange
{
    /// <summary>Stores locally and replicates on the ring; returns the id of the bytes.</summary>
    Task<ContentId> PutAsync(ReadOnlyMemory<byte> model, CancellationToken ct);

    /// <summary>Returns the model from the local store or the network; throws ModelUnavailableException when nobody has it.</summary>
    Task<byte[]> GetAsync(ContentId id, CancellationToken ct);

    /// <summary>
    /// As <see cref="GetAsync(ContentId, CancellationToken)"/>, reporting the bytes received while the file comes over the
    /// network (nothing for a local hit). An exchange that cannot observe its transfers reports nothing.
    /// </summary>
    Task<byte[]> GetAsync(ContentId id, IProgress<TransferProgress>? progress, CancellationToken ct) => GetAsync(id, ct);

    /// <summary>
    /// <paramref name="member"/> holds <paramref name="model"/> (it committed it, or, as a leader, read it to merge or
    /// drop it): a fetch may ask it even before any announcement is heard. An exchange that does not fetch from members
    /// ignores this.
    /// </summary>
    void NoteHeldBy(ContentId model, EthereumAddress member) { }
}

/// <summary>How far one model fetch is: bytes received so far of the file's size (null while the size is unknown).</summary>
public readonly record struct TransferProgress(ContentId Model, long Bytes, long? TotalBytes)
{
    public double? Fraction => TotalBytes is > 0 and var total ? Math.Clamp((double)Bytes / total, 0, 1) : null;
}

public sealed class ModelUnavailableException(ContentId id, string detail)
    : Exception($"model {id} is not available: {detail}")
{
    public ContentId Id { get; } = id;
}
