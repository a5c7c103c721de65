using System.Net;
using System.Net.Sockets;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>
/// A loopback TCP proxy in front of a service (here: Hardhat's RPC), which the test can stop — listener closed and every
/// open connection cut — and start again on the same port, as an RPC endpoint that goes away and comes back.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly object _gate = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;

    public TcpProxy(int listenPort, int targetPort) => (Port, _target) = (listenPort, targetPort);

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public bool IsRunning { get { lock (_gate) return _listener is not null; } }

    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null) return;
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _stop = new CancellationTokenSource();
            _ = AcceptAsync(listener, _stop.Token);
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            if (_listener is null) return;
            _stop!.Cancel();
            _listener.Stop();
            _listener = null;
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(ct); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = RelayAsync(inbound, ct);
        }
    }

    private async Task RelayAsync(TcpClient inbound, CancellationToken ct)
    {
        var outbound = new TcpClient();
        lock (_gate)
        {
            if (ct.IsCancellationRequested) { inbound.Dispose(); outbound.Dispose(); return; }
            _open.Add(inbound);
            _open.Add(outbound);
        }
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, ct);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var up = inbound.GetStream().CopyToAsync(outbound.GetStream(), both.Token);
            var down = outbound.GetStream().CopyToAsync(inbound.GetStream(), both.Token);
            await Task.WhenAny(up, down);
            await both.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            lock (_gate)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
