using System.Buffers;
using System.Security.Cryptography;
using Google.Protobuf;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Messages.Model;

namespace SwarmFL.P2P.Protocols.Model;

/// <summary>The peer does not hold the requested blob.</summary>
public sealed class BlobNotFoundException(PeerId peer, ContentId id) : IOException($"{peer} does not have blob {id} (not found)")
{
    public ContentId Id { get; } = id;
}

/// <summary>The bytes a peer sent do not hash to the content id we asked for; they were discarded.</summary>
public sealed class ContentMismatchException(PeerId peer, ContentId expected, string actual)
    : IOException($"{peer} sent data for {expected} that hashes to {actual}; discarded");

/// <summary>The peer refused the request or announced a blob larger than we accept.</summary>
public sealed class BlobTransferException(string message) : IOException(message);

/// <summary>
/// /swarmfl/model/1.0.0: the requester sends a length-prefixed <c>BlobRequest{cid}</c>; the responder answers with a
/// length-prefixed <c>BlobResponseHeader{status, size}</c> and, when found, exactly <c>size</c> raw bytes, streamed in
/// chunks so yamux flow control paces the sender. The receiver hashes while it reads and accepts the data only if it
/// matches the content id.
/// </summary>
public static class ModelProtocol
{
    public const string ProtocolId = "/swarmfl/model/1.0.0";
    private const int MaxControlMessage = 4096;
    private const int ChunkSize = 256 * 1024;

    /// <summary>Serves blobs; members only, since trained weights leak information about their owners' data.</summary>
    public static void Serve(Libp2pHost host, IBlobSource source, ILogger? log = null, StreamHandlerOptions? options = null)
    {
        var logger = log ?? Log.ForContext(typeof(ModelProtocol));
        host.SetStreamHandler(ProtocolId, (stream, ct) => RespondAsync(stream, source, logger, ct), options ?? StreamHandlerOptions.MembersOnlyDefault);
    }

    private static async Task RespondAsync(Libp2pStream stream, IBlobSource source, ILogger log, CancellationToken ct)
    {
        var bytes = await LengthPrefixed.ReadAsync(stream, MaxControlMessage, ct).ConfigureAwait(false)
            ?? throw new ProtocolViolationException("model request stream ended before the request");
        ContentId id;
        try
        {
            id = ContentId.FromBytes(RequestResponse.RequestResponse.Parse(BlobRequest.Parser, bytes, ProtocolId).Cid.Span);
        }
        catch (Exception e) when (e is FormatException or ProtocolViolationException)
        {
            await WriteHeaderAsync(stream, new BlobResponseHeader { Status = BlobResponseHeader.Types.Status.Error, Error = $"bad request: {e.Message}" }, ct).ConfigureAwait(false);
            await stream.CloseWriteAsync().ConfigureAwait(false);
            return;
        }
        await using var blob = await source.TryOpenAsync(id, ct).ConfigureAwait(false);
        if (blob is null)
        {
            log.Debug("Model blob {Cid} requested by {Peer}: not found", id, stream.RemotePeer);
            await WriteHeaderAsync(stream, new BlobResponseHeader { Status = BlobResponseHeader.Types.Status.NotFound, Error = $"blob {id} not found" }, ct).ConfigureAwait(false);
            await stream.CloseWriteAsync().ConfigureAwait(false);
            return;
        }
        await WriteHeaderAsync(stream, new BlobResponseHeader { Status = BlobResponseHeader.Types.Status.Ok, Size = (ulong)blob.Length }, ct).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long remaining = blob.Length;
            while (remaining > 0)
            {
                var n = await blob.Content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkSize, remaining)), ct).ConfigureAwait(false);
                if (n == 0) throw new IOException($"blob {id} is shorter than its announced {blob.Length} bytes");
                await stream.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                remaining -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await stream.CloseWriteAsync().ConfigureAwait(false);
        log.Debug("Served model blob {Cid} ({Bytes} bytes) to {Peer}", id, blob.Length, stream.RemotePeer);
    }

    /// <summary>
    /// Fetches a blob into memory; returns it only once its hash matches <paramref name="id"/>. The array is allocated
    /// once at the size the header announces (no growing buffer and final copy); <paramref name="received"/> gets the
    /// running byte count after each chunk.
    /// </summary>
    public static async Task<byte[]> FetchAsync(Libp2pHost host, PeerId peer, ContentId id, long maxSize, CancellationToken ct,
        IProgress<long>? received = null)
    {
        byte[] blob = [];
        await FetchCoreAsync(host, peer, id, size => new MemoryStream(blob = GC.AllocateUninitializedArray<byte>(checked((int)size)), writable: true),
            maxSize, received, ct).ConfigureAwait(false);
        return blob;
    }

    /// <summary>Fetches a blob to a file: written under a temporary name and moved into place only once verified.</summary>
    public static async Task FetchToFileAsync(Libp2pHost host, PeerId peer, ContentId id, string path, long maxSize, CancellationToken ct)
    {
        var partial = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                await FetchIntoAsync(host, peer, id, file, maxSize, ct).ConfigureAwait(false);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    /// <summary>
    /// Streams the blob into <paramref name="destination"/> while hashing it. On any failure (including a hash
    /// mismatch) it throws and the caller must discard what was written.
    /// </summary>
    public static Task<long> FetchIntoAsync(Libp2pHost host, PeerId peer, ContentId id, Stream destination, long maxSize, CancellationToken ct) =>
        FetchCoreAsync(host, peer, id, _ => destination, maxSize, null, ct);

    private static async Task<long> FetchCoreAsync(Libp2pHost host, PeerId peer, ContentId id, Func<long, Stream> destinationFor, long maxSize,
        IProgress<long>? received, CancellationToken ct)
    {
        await using var stream = await host.OpenStreamAsync(peer, [ProtocolId], ct).ConfigureAwait(false);
        await LengthPrefixed.WriteAsync(stream, new BlobRequest { Cid = ByteString.CopyFrom(id.ToBytes()) }.ToByteArray(), ct).ConfigureAwait(false);
        await stream.CloseWriteAsync().ConfigureAwait(false);
        var headerBytes = await LengthPrefixed.ReadAsync(stream, MaxControlMessage, ct).ConfigureAwait(false)
            ?? throw new ProtocolViolationException($"{peer} closed {ProtocolId} without answering");
        var header = RequestResponse.RequestResponse.Parse(BlobResponseHeader.Parser, headerBytes, ProtocolId);
        switch (header.Status)
        {
            case BlobResponseHeader.Types.Status.Ok:
                break;
            case BlobResponseHeader.Types.Status.NotFound:
                throw new BlobNotFoundException(peer, id);
            default:
                throw new BlobTransferException($"{peer} refused blob {id}: {header.Status} {header.Error}");
        }
        if (header.Size > (ulong)maxSize)
        {
            stream.Reset();
            throw new BlobTransferException($"{peer} announced {header.Size} bytes for {id}, more than the limit of {maxSize}");
        }

        var destination = destinationFor((long)header.Size);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var remaining = (long)header.Size;
            while (remaining > 0)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), ct).ConfigureAwait(false);
                if (n == 0) throw new ProtocolViolationException($"{peer} ended blob {id} after {(long)header.Size - remaining} of {header.Size} bytes");
                hash.AppendData(buffer, 0, n);
                await destination.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                remaining -= n;
                received?.Report((long)header.Size - remaining);
            }
            if (await stream.ReadAsync(buffer.AsMemory(0, 1), ct).ConfigureAwait(false) != 0)
                throw new ProtocolViolationException($"{peer} sent more than the announced {header.Size} bytes for {id}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var digest = hash.GetHashAndReset();
        if (!digest.AsSpan().SequenceEqual(id.Digest))
            throw new ContentMismatchException(peer, id, ContentId.FromDigest(digest).ToString());
        return (long)header.Size;
    }

    private static ValueTask WriteHeaderAsync(Stream stream, BlobResponseHeader header, CancellationToken ct)
        => LengthPrefixed.WriteAsync(stream, header.ToByteArray(), ct);
}
