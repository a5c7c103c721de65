using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SwarmFL.Chain.Rpc;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Swarm.Tests.Hosting;

/// <summary>
/// A chain endpoint whose new-heads subscription accepts and then never notifies, while its blocks keep coming (what a
/// Hardhat node serving 32 nodes on 2 cores did to some of them): the watcher must still follow the chain, and renew
/// the subscription.
/// </summary>
public sealed class BlockWatcherTests
{
    /// <summary>HTTP JSON-RPC answering eth_blockNumber with a number that grows by one per call, and a WebSocket on
    /// the same port that confirms eth_subscribe and then stays silent.</summary>
    private sealed class SilentSubscriptionChain : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private long _block = 0x10;
        private int _subscriptions;

        public SilentSubscriptionChain()
        {
            var port = FreePort();
            Url = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _serving = ServeAsync();
        }

        public Uri Url { get; }
        public int Subscriptions => Volatile.Read(ref _subscriptions);
        public ulong Latest => (ulong)Interlocked.Read(ref _block);

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            try
            {
                if (context.Request.IsWebSocketRequest)
                {
                    var socket = (await context.AcceptWebSocketAsync(null)).WebSocket;
                    var buffer = new byte[4096];
                    await socket.ReceiveAsync(buffer, _stop.Token);
                    Interlocked.Increment(ref _subscriptions);
                    await socket.SendAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"result":"0xab"}"""), WebSocketMessageType.Text, true, _stop.Token);
                    while (socket.State == WebSocketState.Open) await socket.ReceiveAsync(buffer, _stop.Token); // silent from here on
                    return;
                }
                using var request = await JsonDocument.ParseAsync(context.Request.InputStream);
                var id = request.RootElement.GetProperty("id").GetRawText();
                var answer = $$"""{"jsonrpc":"2.0","id":{{id}},"result":"0x{{Interlocked.Increment(ref _block):x}}"}""";
                var bytes = Encoding.UTF8.GetBytes(answer);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or HttpListenerException or IOException or ObjectDisposedException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Close();
            try { await _serving; } catch (ObjectDisposedException) { }
        }
    }

    [Fact]
    public async Task A_subscription_that_goes_silent_while_blocks_come_is_caught_up_by_reading_the_block_number_and_renewed()
    {
        await using var chain = new SilentSubscriptionChain();
        using var eth = new EthClient(new JsonRpcClient(chain.Url));
        var head = new ChainHead();
        var watcher = new BlockWatcher(eth, head, new BlockPollSchedule(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)))
        {
            SubscriptionCheckInterval = TimeSpan.FromMilliseconds(100),
            ResubscribeAfter = TimeSpan.FromMilliseconds(300),
        };
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var running = watcher.RunAsync(stop.Token);
        while (chain.Subscriptions < 2 && !stop.IsCancellationRequested) await Task.Delay(50, stop.Token);
        await stop.CancelAsync();
        await running;

        Assert.True(chain.Subscriptions >= 2, $"the silent subscription was not renewed ({chain.Subscriptions} subscriptions)");
        Assert.True(watcher.SubscriptionLags >= 2, $"{watcher.SubscriptionLags} checks found the subscription behind");
        Assert.True(head.Number > 0x10, $"the head stayed at {head.Number} although no notification ever came");
        Assert.True(head.Number <= chain.Latest);
    }
}
