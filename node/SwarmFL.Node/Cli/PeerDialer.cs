using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;

namespace SwarmFL.Node.Cli;

/// <summary>Dials a peer given on the command line, turning every way it can fail into one clear line.</summary>
public static class PeerDialer
{
    public static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(30);

    public static async Task<PeerId> DialAsync(Libp2pHost host, string text, CancellationToken ct)
    {
        if (!Multiaddr.TryParse(text, out var target, out var error)) throw new UserFacingException($"MULTIADDR: {error}");
        if (!SwarmFL.P2P.Transport.TcpTransport.CanDial(target))
            throw new UserFacingException($"MULTIADDR: cannot dial {target}; expected /ip4|ip6|dns4|dns6/HOST/tcp/PORT[/p2p/PEER]");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(DialTimeout);
            return await host.DialAsync(target, timeout.Token);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new UserFacingException($"could not connect to {target}: {e.Message}", ExitCodes.Unavailable, e);
        }
    }
}
