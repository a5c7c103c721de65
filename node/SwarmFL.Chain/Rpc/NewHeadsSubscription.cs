using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SwarmFL.Chain.Rpc;

/// <summary>
/// <c>eth_subscribe("newHeads")</c> over a WebSocket to the chain node: the node tells us about each block instead of
/// being asked every 100 ms. Hardhat and anvil serve WebSocket JSON-RPC on the same port as HTTP, so the URL is the
/// RPC URL with ws:// (wss:// for https://). A node that refuses the upgrade or the subscription yields null from
/// <see cref="TryOpenAsync"/>, and the caller polls instead.
/// </summary>
public sealed class NewHeadsSubscription : IAsyncDisposable
{
    /// <summary>A header is a few hundred bytes; anything far larger is not a header.</summary>
    private const int MaxMessageBytes = 1 << 20;

    private readonly ClientWebSocket _socket;
    private readonly string _subscription;
    private readonly RpcTrafficCounter _traffic;

    private NewHeadsSubscription(ClientWebSocket socket, string subscription, Uri endpoint, RpcTrafficCounter traffic)
    {
        _socket = socket;
        _subscription = subscription;
        _traffic = traffic;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static Uri WebSocketEndpointOf(Uri rpc)
    {
        var builder = new UriBuilder(rpc) { Scheme = rpc.Scheme == "https" ? "wss" : "ws" };
        return builder.Uri;
    }

    /// <summary>Connects and subscribes; null when the node offers no WebSocket or no newHeads (the reason goes to <paramref name="whyNot"/>).</summary>
    public static async Task<NewHeadsSubscription?> TryOpenAsync(Uri rpc, RpcTrafficCounter traffic, Action<string>? whyNot = null,
        TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var endpoint = WebSocketEndpointOf(rpc);
        var socket = new ClientWebSocket();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(endpoint, limit.Token);
            var request = JsonSerializer.SerializeToUtf8Bytes(new { jsonrpc = "2.0", id = 1, method = "eth_subscribe", @params = new[] { "newHeads" } });
            traffic.RecordRequest(request.Length);
            traffic.RecordCall("eth_subscribe");
            await socket.SendAsync(request, WebSocketMessageType.Text, true, limit.Token);
            // Nothing else is subscribed yet, so the first message is the answer.
            var answer = await ReceiveMessageAsync(socket, limit.Token);
            if (answer is null)
            {
                whyNot?.Invoke($"{endpoint} closed the socket instead of answering eth_subscribe");
                socket.Dispose();
                return null;
            }
            traffic.RecordResponse(answer.Length);
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("result", out var id) || id.ValueKind != JsonValueKind.String)
            {
                whyNot?.Invoke($"{endpoint} refused eth_subscribe newHeads: {Snippet(answer)}");
                socket.Dispose();
                return null;
            }
            return new NewHeadsSubscription(socket, id.GetString()!, endpoint, traffic);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException or HttpRequestException && !ct.IsCancellationRequested)
        {
            whyNot?.Invoke($"no WebSocket JSON-RPC at {endpoint}: {e.Message}");
            socket.Dispose();
            return null;
        }
    }

    /// <summary>Every new head, in the node's order, until the socket closes (the sequence then ends) or <paramref name="ct"/>.</summary>
    public async IAsyncEnumerable<ChainHeadInfo> ReadAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        while (!ct.IsCancellationRequested)
        {
            byte[]? message;
            try
            {
                message = await ReceiveMessageAsync(_socket, ct);
            }
            catch (WebSocketException)
            {
                yield break;
            }
            if (message is null) yield break;
            _traffic.RecordNotification(message.Length);
            if (TryParseHead(message, _subscription) is { } head) yield return head;
        }
    }

    /// <summary>The head in an <c>eth_subscription</c> notification for <paramref name="subscription"/>; null for anything else.</summary>
    public static ChainHeadInfo? TryParseHead(ReadOnlySpan<byte> message, string subscription)
    {
        try
        {
            var reader = new Utf8JsonReader(message);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || method.GetString() != "eth_subscription"
                || !root.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object
                || !parameters.TryGetProperty("subscription", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != subscription
                || !parameters.TryGetProperty("result", out var header) || header.ValueKind != JsonValueKind.Object)
                return null;
            return new ChainHeadInfo(Quantity.ParseUInt64(header.GetProperty("number")), Quantity.ParseUInt64(header.GetProperty("timestamp")));
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    private static async Task<byte[]?> ReceiveMessageAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ct);
            if (received.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, received.Count);
            if (message.Length > MaxMessageBytes)
                throw new WebSocketException($"a WebSocket message from the chain node exceeds {MaxMessageBytes} bytes");
            if (received.EndOfMessage) return message.ToArray();
        }
    }

    private static string Snippet(byte[] bytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200));
        return bytes.Length > 200 ? $"'{text}…'" : $"'{text}'";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, limit.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        _socket.Dispose();
    }
}
