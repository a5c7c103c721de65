using System.Security.Cryptography;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Protocols.Identify;
using SwarmFL.P2P.Protocols.Ping;
using SwarmFL.P2P.Tests.Support;

namespace SwarmFL.P2P.Tests.Hosting;

public class HostTests
{
    [Fact]
    public async Task Two_hosts_connect_ping_and_identify_each_other()
    {
        await using var server = TestHosts.Listening();
        await using var client = TestHosts.Create();
        var connected = new TaskCompletionSource<SwarmFL.Crypto.PeerId>();
        server.PeerConnected += p => connected.TrySetResult(p);
        var ct = TestHosts.Timeout();

        var remote = await client.DialAsync(server.ListenAddresses[0], ct);
        Assert.Equal(server.LocalPeerId, remote);
        Assert.Equal(client.LocalPeerId, await connected.Task.WaitAsync(ct));

        var rtt = await PingProtocol.PingAsync(client, server.LocalPeerId, ct);
        Assert.True(rtt > TimeSpan.Zero);

        var info = await IdentifyProtocol.RequestAsync(client, server.LocalPeerId, ct);
        Assert.Equal("swarmfl/0.1.0", info.AgentVersion);
        Assert.Contains(PingProtocol.ProtocolId, info.Protocols);
        Assert.Contains(server.ListenAddresses[0].WithoutPeerId(), info.ListenAddresses);
    }

    [Fact]
    public async Task Ed25519_identity_connects_to_secp256k1_identity()
    {
        await using var server = TestHosts.Listening(identity: new Ed25519Identity());
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        Assert.Equal(server.LocalPeerId, await client.DialAsync(server.ListenAddresses[0], ct));
        await PingProtocol.PingAsync(client, server.LocalPeerId, ct);
        await PingProtocol.PingAsync(server, client.LocalPeerId, ct);
    }

    [Fact]
    public async Task Stream_carries_many_megabytes_both_ways_with_half_close()
    {
        await using var server = TestHosts.Listening();
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout(120);
        server.SetStreamHandler("/test/echo-hash/1.0.0", async (stream, token) =>
        {
            // Echo everything, then answer with nothing more once the writer half-closes.
            var buffer = new byte[50_000];
            int n;
            while ((n = await stream.ReadAsync(buffer, token)) > 0) await stream.WriteAsync(buffer.AsMemory(0, n), token);
            await stream.CloseWriteAsync();
        });
        await client.DialAsync(server.ListenAddresses[0], ct);
        await using var stream = await client.OpenStreamAsync(server.LocalPeerId, ["/test/missing/1.0.0", "/test/echo-hash/1.0.0"], ct);
        Assert.Equal("/test/echo-hash/1.0.0", stream.Protocol);

        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024 + 123);
        var writer = Task.Run(async () =>
        {
            for (var offset = 0; offset < data.Length; offset += 100_000)
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)), ct);
            await stream.CloseWriteAsync();
        });
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, ct);
        await writer;
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received.ToArray()));
        Assert.Equal(data.Length, client.Traffic.For("/test/echo-hash/1.0.0").BytesOut);
        Assert.Equal(data.Length, server.Traffic.For("/test/echo-hash/1.0.0").BytesIn);
    }

    [Fact]
    public async Task Disposing_a_host_closes_its_connections_promptly()
    {
        await using var server = TestHosts.Listening();
        var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        await client.DialAsync(server.ListenAddresses[0], ct);
        await using (var stream = await client.OpenStreamAsync(server.LocalPeerId, [PingProtocol.ProtocolId], ct))
            await PingProtocol.PingOnceAsync(stream, ct);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await client.DisposeAsync();
        var elapsed = started.Elapsed;
        Assert.False(client.IsConnected(server.LocalPeerId));
        // Reported rather than asserted (no wall-clock limits in tests): dispose should not sit out its 5 s grace period.
        Console.WriteLine($"dispose took {elapsed.TotalMilliseconds} ms");
        while (server.ConnectionCount != 0) await Task.Delay(10, ct);
    }
}
