using SwarmFL.P2P.Resources;
using System.Net.Sockets;
using System.Security.Cryptography;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Noise;
using SwarmFL.P2P.Protocols.Ping;
using SwarmFL.P2P.Tests.Support;

namespace SwarmFL.P2P.Tests.BadInput;

public class HostBadInputTests
{
    private static async Task<Socket> ConnectRawAsync(Libp2pHost host)
    {
        var endpoint = host.ListenAddresses[0].Components;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint[0].AsIPAddress(), endpoint[1].AsPort());
        return socket;
    }

    /// <summary>Reads until the host closes the connection; true if it did.</summary>
    private static async Task<bool> ClosedByRemoteAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, ct) > 0) { }
            return true;
        }
        catch (SocketException)
        {
            return true; // reset counts as closed
        }
    }

    private static async Task AssertStillServesAsync(Libp2pHost server, CancellationToken ct)
    {
        await using var client = TestHosts.Create();
        await client.DialAsync(server.ListenAddresses[0], ct);
        await PingProtocol.PingAsync(client, server.LocalPeerId, ct);
    }

    [Fact]
    public async Task Slow_loris_that_sends_nothing_is_dropped_after_the_handshake_timeout()
    {
        await using var server = TestHosts.Listening(new HostOptions { HandshakeTimeout = TimeSpan.FromSeconds(1), IdentifyOnConnect = false });
        var ct = TestHosts.Timeout();
        using var silent = await ConnectRawAsync(server);
        Assert.True(await ClosedByRemoteAsync(silent, ct));
        await AssertStillServesAsync(server, ct);
    }

    [Fact]
    public async Task Slow_loris_that_stalls_inside_the_noise_handshake_is_dropped()
    {
        await using var server = TestHosts.Listening(new HostOptions { HandshakeTimeout = TimeSpan.FromSeconds(1), IdentifyOnConnect = false });
        var ct = TestHosts.Timeout();
        using var stalling = await ConnectRawAsync(server);
        await using var stream = new NetworkStream(stalling, ownsSocket: false);
        await MultistreamSelect.Multistream.SelectAsync(stream, [NoiseHandshake.ProtocolId], ct);
        await stream.WriteAsync(new byte[] { 0, 32, 1, 2, 3 }, ct); // a first noise message that never completes
        Assert.True(await ClosedByRemoteAsync(stalling, ct));
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task Garbage_before_the_handshake_closes_the_connection_and_nothing_leaks()
    {
        await using var server = TestHosts.Listening();
        var ct = TestHosts.Timeout();
        for (var i = 0; i < 5; i++)
        {
            using var socket = await ConnectRawAsync(server);
            await socket.SendAsync(RandomNumberGenerator.GetBytes(300), ct);
            Assert.True(await ClosedByRemoteAsync(socket, ct));
            // The host releases the handshake slot just after it closes the socket: the next sender must not meet the
            // per-address handshake limit (4) because of slots that are about to be given back.
            while (server.PendingInboundCount != 0) await Task.Delay(20, ct);
        }
        await AssertStillServesAsync(server, ct);
        // Every failed upgrade released its slot and no connection was ever registered for the garbage senders
        // (the only one was the well-behaved client, gone again after its host was disposed).
        while (server.PendingInboundCount != 0 || server.ConnectionCount != 0) await Task.Delay(20, ct);
        Assert.Empty(server.ConnectedPeers);
        await RefusedAsync(server, RefusedKind.Connection, RefusalReason.HandshakeFailed, 5, ct);
    }

    /// <summary>Waits until the host has counted exactly <paramref name="expected"/> refusals of that kind and reason (the
    /// count is taken after the socket is closed, so it may trail what the peer saw).</summary>
    private static async Task RefusedAsync(Libp2pHost host, RefusedKind kind, RefusalReason reason, long expected, CancellationToken ct)
    {
        try
        {
            while (host.Resources.Refusals.Get(kind, reason) < expected) await Task.Delay(20, ct);
        }
        catch (OperationCanceledException)
        {
            var counted = string.Join(", ", Enum.GetValues<RefusalReason>().Select(r => (r, n: host.Resources.Refusals.Get(kind, r))).Where(x => x.n > 0).Select(x => $"{x.r} {x.n}"));
            Assert.Fail($"expected {expected} {kind} refusals for {reason}; the host counted: {(counted.Length == 0 ? "none" : counted)}");
        }
        Assert.Equal(expected, host.Resources.Refusals.Get(kind, reason));
    }

    [Fact]
    public async Task Dialing_a_p2p_address_of_someone_else_fails_and_both_sides_stay_clean()
    {
        await using var server = TestHosts.Listening();
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        var wrong = server.ListenAddresses[0].WithPeerId(NodeKey.Generate().PeerId);
        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => client.DialAsync(wrong, ct));
        Assert.Contains("expected", error.Message);
        Assert.Equal(0, client.ConnectionCount);
        Assert.Empty(client.ConnectedPeers);
        // The server saw the connection die during its handshake and is unharmed.
        await AssertStillServesAsync(server, ct);
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused()
    {
        await using var server = TestHosts.Listening(new HostOptions { Limits = new SwarmFL.P2P.Resources.ResourceLimits { MaxConnections = 2 }, IdentifyOnConnect = false });
        var ct = TestHosts.Timeout();
        await using var a = TestHosts.Create();
        await using var b = TestHosts.Create();
        await using var c = TestHosts.Create();
        await a.DialAsync(server.ListenAddresses[0], ct);
        await b.DialAsync(server.ListenAddresses[0], ct);
        await Assert.ThrowsAnyAsync<IOException>(() => c.DialAsync(server.ListenAddresses[0], ct));
        Assert.Equal(2, server.ConnectionCount);
        await RefusedAsync(server, RefusedKind.Connection, RefusalReason.ConnectionsTotal, 1, ct);
        await a.DisconnectAsync(server.LocalPeerId);
        while (server.ConnectionCount > 1) await Task.Delay(20, ct);
        await c.DialAsync(server.ListenAddresses[0], ct);
        await PingProtocol.PingAsync(c, server.LocalPeerId, ct);
    }

    [Fact]
    public async Task Unsupported_protocol_is_refused_but_the_connection_lives_on()
    {
        await using var server = TestHosts.Listening();
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        await client.DialAsync(server.ListenAddresses[0], ct);
        await Assert.ThrowsAsync<MultistreamSelect.ProtocolNotSupportedException>(() => client.OpenStreamAsync(server.LocalPeerId, ["/nope/1.0.0"], ct));
        await PingProtocol.PingAsync(client, server.LocalPeerId, ct);
        await RefusedAsync(server, RefusedKind.Stream, RefusalReason.NegotiationFailed, 1, ct);
    }

    [Fact]
    public async Task Disconnect_events_fire_on_both_sides()
    {
        await using var server = TestHosts.Listening();
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        var serverSaw = new TaskCompletionSource<PeerId>();
        var clientSaw = new TaskCompletionSource<PeerId>();
        server.PeerDisconnected += p => serverSaw.TrySetResult(p);
        client.PeerDisconnected += p => clientSaw.TrySetResult(p);
        await client.DialAsync(server.ListenAddresses[0], ct);
        await client.DisconnectAsync(server.LocalPeerId);
        Assert.Equal(client.LocalPeerId, await serverSaw.Task.WaitAsync(ct));
        Assert.Equal(server.LocalPeerId, await clientSaw.Task.WaitAsync(ct));
        Assert.False(server.IsConnected(client.LocalPeerId));
    }
}
