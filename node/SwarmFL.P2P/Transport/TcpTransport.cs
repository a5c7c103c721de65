using System.Net;
using System.Net.Sockets;
using SwarmFL.P2P.Multiaddrs;

namespace SwarmFL.P2P.Transport;

/// <summary>A raw TCP connection before any upgrade, with the addresses of both ends as multiaddrs.</summary>
public sealed record RawConnection(Stream Stream, Socket Socket, Multiaddr LocalAddress, Multiaddr RemoteAddress);

/// <summary>TCP for /ip4|ip6|dns|dns4|dns6/…/tcp/PORT multiaddrs: a dialer and listeners, all cancellable.</summary>
public static class TcpTransport
{
    public static bool CanDial(Multiaddr address)
    {
        var c = address.WithoutPeerId().Components;
        return c.Count == 2 && c[1].Protocol == MultiaddrProtocol.Tcp && c[0].Protocol is MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6
            or MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6;
    }

    public static async Task<RawConnection> DialAsync(Multiaddr address, CancellationToken ct)
    {
        if (!CanDial(address)) throw new ArgumentException($"cannot dial {address} over TCP: expected /ip4|ip6|dns4|dns6/HOST/tcp/PORT[/p2p/ID]");
        var components = address.WithoutPeerId().Components;
        var port = components[1].AsPort();
        var host = components[0];
        IPAddress ip;
        if (host.Protocol is MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6)
        {
            ip = host.AsIPAddress();
        }
        else
        {
            var family = host.Protocol switch
            {
                MultiaddrProtocol.Dns4 => AddressFamily.InterNetwork,
                MultiaddrProtocol.Dns6 => AddressFamily.InterNetworkV6,
                _ => AddressFamily.Unspecified,
            };
            var resolved = await Dns.GetHostAddressesAsync(host.AsDnsName(), family, ct).ConfigureAwait(false);
            ip = resolved.FirstOrDefault() ?? throw new IOException($"{host.AsDnsName()} has no {family} address");
        }
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(ip, port), ct).ConfigureAwait(false);
            return Wrap(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static TcpListenerHandle Listen(Multiaddr address)
    {
        var components = address.WithoutPeerId().Components;
        if (components.Count != 2 || components[1].Protocol != MultiaddrProtocol.Tcp || components[0].Protocol is not (MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6))
            throw new ArgumentException($"cannot listen on {address}: expected /ip4|ip6/ADDRESS/tcp/PORT");
        var endpoint = new IPEndPoint(components[0].AsIPAddress(), components[1].AsPort());
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new TcpListenerHandle(socket);
    }

    internal static RawConnection Wrap(Socket socket)
    {
        socket.NoDelay = true;
        var stream = new NetworkStream(socket, ownsSocket: true);
        return new RawConnection(stream, socket, Multiaddr.FromTcp((IPEndPoint)socket.LocalEndPoint!), Multiaddr.FromTcp((IPEndPoint)socket.RemoteEndPoint!));
    }
}

public sealed class TcpListenerHandle(Socket socket) : IDisposable
{
    public Multiaddr Address { get; } = Multiaddr.FromTcp((IPEndPoint)socket.LocalEndPoint!);

    public async Task<RawConnection> AcceptAsync(CancellationToken ct)
    {
        var accepted = await socket.AcceptAsync(ct).ConfigureAwait(false);
        try { return TcpTransport.Wrap(accepted); }
        catch { accepted.Dispose(); throw; }
    }

    public void Dispose() => socket.Dispose();
}
