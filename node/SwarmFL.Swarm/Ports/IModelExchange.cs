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
}

public sealed class ModelUnavailableException(ContentId id, string detail)
    : Exception($"model {id} is not available: {detail}")
{
    public ContentId Id { get; } = id;
}
