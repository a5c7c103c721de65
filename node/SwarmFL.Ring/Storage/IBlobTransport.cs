using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;

namespace SwarmFL.Ring.Storage;

/// <summary>
/// Moving model files between ring members: over libp2p this is the /swarmfl/model protocol (fetch by content id) plus
/// a store request; in simulations the in-memory network. Unreachable peers throw <see cref="PeerUnreachableException"/>.
/// Nothing a peer returns is trusted: callers verify fetched bytes against the content id.
/// </summary>
public interface IBlobTransport
{
    Task<bool> HasAsync(NodeRef target, ContentId cid, CancellationToken ct);
    /// <summary>The bytes the peer sent, unverified, or null when it does not hold the blob.</summary>
    Task<byte[]?> FetchAsync(NodeRef target, ContentId cid, CancellationToken ct);
    /// <summary>
    /// As <see cref="FetchAsync(NodeRef, ContentId, CancellationToken)"/>, reporting the bytes received so far while the
    /// blob streams in. A transport that cannot observe its transfers reports nothing.
    /// </summary>
    Task<byte[]?> FetchAsync(NodeRef target, ContentId cid, IProgress<long>? received, CancellationToken ct) => FetchAsync(target, cid, ct);
    /// <summary>Asks the peer to keep a replica; true when it accepted.</summary>
    Task<bool> StoreAsync(NodeRef target, ContentId cid, ReadOnlyMemory<byte> content, CancellationToken ct);
}

/// <summary>The blob requests a node answers.</summary>
public interface IBlobService
{
    Task<bool> HasAsync(ContentId cid, CancellationToken ct);
    Task<byte[]?> FetchAsync(ContentId cid, CancellationToken ct);
    Task<bool> StoreAsync(NodeRef caller, ContentId cid, ReadOnlyMemory<byte> content, CancellationToken ct);
}
