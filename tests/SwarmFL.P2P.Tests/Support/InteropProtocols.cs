using System.Buffers.Binary;
using System.Security.Cryptography;
using SwarmFL.P2P.Hosting;

namespace SwarmFL.P2P.Tests.Support;

/// <summary>
/// The C# side of the two bulk-transfer test protocols that tests/interop/p2p/peer.mjs also serves:
/// sink (read all, answer SHA-256) and source (read an 8-byte size, answer SHA-256 then that many random bytes).
/// </summary>
public static class InteropProtocols
{
    public const string Sink = "/interop/sink/1.0.0";
    public const string Source = "/interop/source/1.0.0";
    private const int Chunk = 256 * 1024;

    public static void Register(Libp2pHost host)
    {
        host.SetStreamHandler(Sink, async (stream, ct) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[Chunk];
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0) hash.AppendData(buffer, 0, n);
            await stream.WriteAsync(hash.GetHashAndReset(), ct);
            await stream.CloseWriteAsync();
        });
        host.SetStreamHandler(Source, async (stream, ct) =>
        {
            var header = new byte[8];
            await stream.ReadExactlyAsync(header, ct);
            var data = RandomNumberGenerator.GetBytes(checked((int)BinaryPrimitives.ReadUInt64BigEndian(header)));
            await stream.WriteAsync(SHA256.HashData(data), ct);
            await WriteChunkedAsync(stream, data, ct);
            await stream.CloseWriteAsync();
        });
    }

    public static async Task WriteChunkedAsync(Stream stream, byte[] data, CancellationToken ct)
    {
        for (var offset = 0; offset < data.Length; offset += Chunk)
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(Chunk, data.Length - offset)), ct);
    }

    /// <summary>Sends data to a sink; returns (our digest, the digest the sink computed).</summary>
    public static async Task<(byte[] Sent, byte[] Remote)> SendToSinkAsync(Libp2pHost host, SwarmFL.Crypto.PeerId peer, int size, CancellationToken ct)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        await using var stream = await host.OpenStreamAsync(peer, [Sink], ct);
        await WriteChunkedAsync(stream, data, ct);
        await stream.CloseWriteAsync();
        var remote = new byte[32];
        await stream.ReadExactlyAsync(remote, ct);
        return (SHA256.HashData(data), remote);
    }

    /// <summary>Fetches data from a source; returns (the digest it announced, the digest of what arrived, bytes received).</summary>
    public static async Task<(byte[] Announced, byte[] Received, long Length)> FetchFromSourceAsync(Libp2pHost host, SwarmFL.Crypto.PeerId peer, int size, CancellationToken ct)
    {
        await using var stream = await host.OpenStreamAsync(peer, [Source], ct);
        var header = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(header, (ulong)size);
        await stream.WriteAsync(header, ct);
        var announced = new byte[32];
        await stream.ReadExactlyAsync(announced, ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Chunk];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }
        await stream.CloseWriteAsync();
        return (announced, hash.GetHashAndReset(), total);
    }
}
