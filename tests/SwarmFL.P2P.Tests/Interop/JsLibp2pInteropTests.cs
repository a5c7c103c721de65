using System.Text.Json.Nodes;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Protocols.Identify;
using SwarmFL.P2P.Protocols.Ping;
using SwarmFL.P2P.Tests.Support;

namespace SwarmFL.P2P.Tests.Interop;

/// <summary>Two real js-libp2p peers (one secp256k1, one Ed25519 identity), shared by the interop tests.</summary>
public sealed class JsPeersFixture : IAsyncLifetime
{
    public JsPeer Secp256k1 { get; private set; } = null!;
    public JsPeer Ed25519 { get; private set; } = null!;

    public JsPeer ByKeyType(string keyType) => keyType == "ed25519" ? Ed25519 : Secp256k1;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var secp = JsPeer.StartAsync("secp256k1", timeout.Token);
        var ed = JsPeer.StartAsync("ed25519", timeout.Token);
        Secp256k1 = await secp;
        Ed25519 = await ed;
    }

    public async Task DisposeAsync()
    {
        if (Secp256k1 is not null) await Secp256k1.DisposeAsync();
        if (Ed25519 is not null) await Ed25519.DisposeAsync();
    }
}

public class JsLibp2pInteropTests(JsPeersFixture js) : IClassFixture<JsPeersFixture>
{
    private const int LargeTransfer = 64 * 1024 * 1024;

    [Theory]
    [InlineData("secp256k1")]
    [InlineData("ed25519")]
    public async Task We_dial_js_and_ping_and_identify_it(string keyType)
    {
        var peer = js.ByKeyType(keyType);
        await using var host = TestHosts.Listening();
        var ct = TestHosts.Timeout(120);

        Assert.Equal(peer.PeerId, await host.DialAsync(peer.Address, ct));
        Assert.Equal(peer.KeyType == "ed25519" ? SwarmFL.Crypto.Libp2pKeyType.Ed25519 : SwarmFL.Crypto.Libp2pKeyType.Secp256k1,
            host.FindConnection(peer.PeerId)!.RemoteKey.Type);

        var rtts = new List<TimeSpan>();
        await foreach (var rtt in PingProtocol.PingAsync(host, peer.PeerId, 3, ct)) rtts.Add(rtt);
        Assert.Equal(3, rtts.Count);

        var info = await IdentifyProtocol.RequestAsync(host, peer.PeerId, ct);
        Assert.StartsWith("js-libp2p/", info.AgentVersion);
        Assert.Contains("/ipfs/ping/1.0.0", info.Protocols);
        Assert.Contains(InteropProtocols.Sink, info.Protocols);
        Assert.Contains(peer.Address.WithoutPeerId(), info.ListenAddresses);
    }

    [Theory]
    [InlineData("secp256k1")]
    [InlineData("ed25519")]
    public async Task Js_dials_us_and_pings_and_identifies_us(string keyType)
    {
        var peer = js.ByKeyType(keyType);
        await using var host = TestHosts.Listening();
        var ct = TestHosts.Timeout(120);
        var ours = host.ListenAddresses[0];

        var dial = await peer.CommandAsync("dial", ours, ct);
        Assert.Equal(host.LocalPeerId.ToString(), (string)dial["peer"]!);
        Assert.Equal("/noise", (string)dial["encryption"]!);
        Assert.Equal("/yamux/1.0.0", (string)dial["multiplexer"]!);

        var ping = await peer.CommandAsync("ping", ours, ct);
        Assert.True((double)ping["rtt"]! >= 0);

        var identify = await peer.CommandAsync("identify", ours, ct);
        Assert.Equal(host.LocalPeerId.ToString(), (string)identify["peer"]!);
        Assert.Equal(host.Options.AgentVersion, (string)identify["agentVersion"]!);
        var protocols = identify["protocols"]!.AsArray().Select(p => (string)p!).ToArray();
        Assert.Contains(PingProtocol.ProtocolId, protocols);
        Assert.Contains(IdentifyProtocol.ProtocolId, protocols);
        var listen = identify["listenAddrs"]!.AsArray().Select(a => (string)a!).ToArray();
        Assert.Contains(ours.WithoutPeerId().ToString(), listen);
        Assert.True(host.IsConnected(peer.PeerId));
    }

    [Theory]
    [InlineData("secp256k1")]
    [InlineData("ed25519")]
    public async Task We_send_64_MiB_to_js_and_fetch_64_MiB_from_it(string keyType)
    {
        var peer = js.ByKeyType(keyType);
        await using var host = TestHosts.Listening();
        var ct = TestHosts.Timeout(300);
        await host.DialAsync(peer.Address, ct);

        var (sent, remote) = await InteropProtocols.SendToSinkAsync(host, peer.PeerId, LargeTransfer, ct);
        Assert.Equal(Convert.ToHexString(sent), Convert.ToHexString(remote));

        var (announced, received, length) = await InteropProtocols.FetchFromSourceAsync(host, peer.PeerId, LargeTransfer, ct);
        Assert.Equal(LargeTransfer, length);
        Assert.Equal(Convert.ToHexString(announced), Convert.ToHexString(received));
    }

    [Theory]
    [InlineData("secp256k1")]
    [InlineData("ed25519")]
    public async Task Js_dials_us_and_sends_64_MiB_and_fetches_64_MiB(string keyType)
    {
        var peer = js.ByKeyType(keyType);
        await using var host = TestHosts.Listening();
        InteropProtocols.Register(host);
        var ct = TestHosts.Timeout(300);
        var ours = host.ListenAddresses[0];

        var send = await peer.CommandAsync("send", ours, ct, new { size = LargeTransfer });
        Assert.Equal((string)send["sha256"]!, (string)send["remoteSha256"]!);

        var fetch = await peer.CommandAsync("fetch", ours, ct, new { size = LargeTransfer });
        Assert.Equal(LargeTransfer, (long)fetch["received"]!);
        Assert.Equal((string)fetch["announcedSha256"]!, (string)fetch["sha256"]!);
    }
}
