using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace SwarmFL.P2P.Bench;

/// <summary>
/// A TCP proxy on loopback that delays every byte by a fixed time in each direction, as a long link would, without
/// limiting bandwidth: each direction reads as fast as it can, stamps each chunk with its due time, and a writer sends
/// the chunk when due. The bytes in flight are bounded (<see cref="MaxInFlightChunks"/> chunks per direction), so a
/// receiver that stops reading stops the sender through TCP, as on a real link. The kernel has no netem here.
/// </summary>
public sealed class DelayProxy(IPEndPoint target, TimeSpan delay) : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;
    public const int MaxInFlightChunks = 4096; // 256 MiB per direction: a 25 ms delay at up to 10 GB/s

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _accepting;

    public IPEndPoint Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
        return (IPEndPoint)_listener.LocalEndpoint;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => RelayAsync(inbound));
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var _ = inbound;
        using var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(target, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return;
        }
        inbound.NoDelay = outbound.NoDelay = true;
        var a = inbound.GetStream();
        var b = outbound.GetStream();
        await Task.WhenAll(PumpAsync(a, b, inbound.Client, outbound.Client), PumpAsync(b, a, outbound.Client, inbound.Client));
    }

    /// <summary>One direction: read, stamp, queue; a second loop writes each chunk when its time has come.</summary>
    private async Task PumpAsync(Stream from, Stream to, Socket fromSocket, Socket toSocket)
    {
        var queue = Channel.CreateBounded<(byte[] Data, int Length, long Due)>(new BoundedChannelOptions(MaxInFlightChunks)
            { SingleReader = true, SingleWriter = true });
        var delayTicks = (long)(delay.TotalSeconds * Stopwatch.Frequency);
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var (data, length, due) in queue.Reader.ReadAllAsync(_stop.Token))
                {
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), _stop.Token);
                    await to.WriteAsync(data.AsMemory(0, length), _stop.Token);
                }
                toSocket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        });
        try
        {
            while (true)
            {
                var buffer = new byte[ChunkSize];
                var n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0) break;
                await queue.Writer.WriteAsync((buffer, n, Stopwatch.GetTimestamp() + delayTicks), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        queue.Writer.TryComplete();
        await writer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accepting is not null) await _accepting;
    }
}
