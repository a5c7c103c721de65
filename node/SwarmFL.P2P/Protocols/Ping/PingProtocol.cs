using System.Diagnostics;
using System.Security.Cryptography;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Hosting;

namespace SwarmFL.P2P.Protocols.Ping;

/// <summary>/ipfs/ping/1.0.0: the dialer sends 32 random bytes, the listener echoes them; repeat on the same stream.</summary>
public static class PingProtocol
{
    public const string ProtocolId = "/ipfs/ping/1.0.0";
    public const int PayloadSize = 32;

    internal static async Task RespondAsync(Libp2pStream stream, CancellationToken ct)
    {
        var payload = new byte[PayloadSize];
        while (true)
        {
            var read = 0;
            while (read < PayloadSize)
            {
                var n = await stream.ReadAsync(payload.AsMemory(read), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    await stream.CloseWriteAsync().ConfigureAwait(false);
                    return; // the dialer is done pinging (a partial payload is dropped, as other implementations do)
                }
                read += n;
            }
            await stream.WriteAsync(payload, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Pings a peer <paramref name="count"/> times on one stream, yielding each round-trip time.</summary>
    public static async IAsyncEnumerable<TimeSpan> PingAsync(Libp2pHost host, PeerId peer, int count, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var stream = await host.OpenStreamAsync(peer, [ProtocolId], ct).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
            yield return await PingOnceAsync(stream, ct).ConfigureAwait(false);
        await stream.CloseWriteAsync().ConfigureAwait(false);
    }

    public static async Task<TimeSpan> PingAsync(Libp2pHost host, PeerId peer, CancellationToken ct)
    {
        await foreach (var rtt in PingAsync(host, peer, 1, ct).ConfigureAwait(false)) return rtt;
        throw new InvalidOperationException("unreachable");
    }

    public static async Task<TimeSpan> PingOnceAsync(Stream stream, CancellationToken ct)
    {
        var sent = RandomNumberGenerator.GetBytes(PayloadSize);
        var received = new byte[PayloadSize];
        var started = Stopwatch.GetTimestamp();
        await stream.WriteAsync(sent, ct).ConfigureAwait(false);
        await LengthPrefixed.ReadExactlyAsync(stream, received, ct).ConfigureAwait(false);
        var rtt = Stopwatch.GetElapsedTime(started);
        if (!sent.AsSpan().SequenceEqual(received)) throw new ProtocolViolationException("ping answer differs from what we sent");
        return rtt;
    }
}
