using System.Net;
using System.Net.Sockets;

namespace SwarmFL.P2P.Tests.Support;

/// <summary>Two ends of a real loopback TCP connection.</summary>
public sealed class SocketPair : IDisposable
{
    public NetworkStream Left { get; private init; } = null!;
    public NetworkStream Right { get; private init; } = null!;

    public static async Task<SocketPair> CreateAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient { NoDelay = true };
        var accept = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await accept;
        server.NoDelay = true;
        return new SocketPair { Left = client.GetStream(), Right = server.GetStream() };
    }

    public void Dispose()
    {
        Left.Dispose();
        Right.Dispose();
    }
}
