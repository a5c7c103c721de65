using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Multiaddrs;

namespace SwarmFL.P2P.Tests.Support;

/// <summary>Real hosts on loopback with fresh keys.</summary>
public static class TestHosts
{
    public static readonly Multiaddr Loopback = Multiaddr.Parse("/ip4/127.0.0.1/tcp/0");

    public static Libp2pHost Create(HostOptions? options = null, IIdentity? identity = null)
        => new(identity ?? new NodeKeyIdentity(NodeKey.Generate()), options ?? new HostOptions { IdentifyOnConnect = false });

    public static Libp2pHost Listening(HostOptions? options = null, IIdentity? identity = null)
    {
        var host = Create(options, identity);
        host.Listen(Loopback);
        return host;
    }

    public static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
