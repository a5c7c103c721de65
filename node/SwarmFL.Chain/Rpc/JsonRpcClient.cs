using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Serilog;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Rpc;

public sealed record JsonRpcOptions
{
    /// <summary>How long one HTTP attempt may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per call, counting the first; only transport failures are retried.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(4);
}

/// <summary>
/// JSON-RPC 2.0 over HTTP POST, one call per request or several as a batch (<see cref="BeginBatch"/>). Transport failures (refused or reset connections, timeouts, HTTP 5xx/429) are
/// retried with exponential backoff; JSON-RPC errors, reverts included, are final and surface immediately.
/// A response that is not valid JSON-RPC becomes a <see cref="ChainRpcException"/>.
/// </summary>
public sealed class JsonRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly JsonRpcOptions _options;
    private readonly ILogger _log;
    private readonly AsyncLocal<JsonRpcBatch?> _batch = new();
    private long _nextId;

    public JsonRpcClient(Uri endpoint, JsonRpcOptions? options = null, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        if (endpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"RPC endpoint {endpoint} must be http:// or https://");
        Endpoint = endpoint;
        _options = options ?? new JsonRpcOptions();
        _log = (logger ?? Log.Logger).ForContext<JsonRpcClient>();
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public JsonRpcClient(string endpoint, JsonRpcOptions? options = null, ILogger? logger = null)
        : this(ParseEndpoint(endpoint), options, logger) { }

    public Uri Endpoint { get; }
    public RpcTrafficCounter Traffic { get; } = new();

    public static Uri ParseEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"'{endpoint}' is not an http:// or https:// RPC URL");

    /// <summary>
    /// Opens a batch scope for the calling flow: the calls it starts until <see cref="JsonRpcBatch.SendAsync"/> are held
    /// and then go out as one JSON-RPC batch (one HTTP request). Calls after the send, or from other flows, go alone.
    /// </summary>
    public JsonRpcBatch BeginBatch()
    {
        var batch = new JsonRpcBatch(this, _batch.Value);
        _batch.Value = batch;
        return batch;
    }

    internal void EndBatch(JsonRpcBatch batch)
    {
        if (_batch.Value == batch) _batch.Value = batch.Outer;
    }

    /// <summary>Calls a method and returns its "result" (a detached copy, valid after this returns).</summary>
    public async Task<JsonElement> CallAsync(string method, IReadOnlyList<object?> parameters, CancellationToken ct = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        if (_batch.Value is { } batch)
        {
            var pending = new PendingCall(id, method, parameters);
            if (batch.TryAdd(pending)) return await pending.Result.Task.WaitAsync(ct);
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(new { jsonrpc = "2.0", id, method, @params = parameters });
        Traffic.RecordCall(method);
        var (status, response) = await PostWithRetriesAsync(method, body, ct);
        try
        {
            return ParseResponse(method, id, status, response);
        }
        catch (JsonRpcErrorException)
        {
            Traffic.RecordFailure(method, RpcFailure.RpcError);
            throw;
        }
        catch (ChainRpcException)
        {
            Traffic.RecordFailure(method, RpcFailure.Malformed);
            throw;
        }
    }

    /// <summary>Sends held calls as one batch and completes each with its own result or error. A node that refuses
    /// batches (answers with one object) gets the calls one by one instead.</summary>
    internal async Task SendBatchAsync(IReadOnlyList<PendingCall> calls, CancellationToken ct)
    {
        if (calls.Count == 0) return;
        var label = calls.Count == 1 ? calls[0].Method : $"batch of {calls.Count} ({calls[0].Method}, …)";
        foreach (var call in calls) Traffic.RecordCall(call.Method);
        var body = JsonSerializer.SerializeToUtf8Bytes(calls.Select(c => new { jsonrpc = "2.0", id = c.Id, method = c.Method, @params = c.Parameters }).ToArray());
        HttpStatusCode status;
        byte[] response;
        try
        {
            (status, response) = await PostWithRetriesAsync(label, body, ct);
        }
        catch (Exception e)
        {
            foreach (var call in calls) call.Result.TrySetException(e);
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(response);
        }
        catch (JsonException)
        {
            var malformed = Malformed(label, $"HTTP {(int)status} with a body that is not JSON: {Snippet(response)}");
            foreach (var call in calls) call.Result.TrySetException(malformed);
            return;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                _log.Debug("{Endpoint} answered a batch with {Answer}; sending its calls one by one", Endpoint, Snippet(response));
                await Task.WhenAll(calls.Select(async call =>
                {
                    try { call.Result.TrySetResult(await CallAsync(call.Method, call.Parameters, ct)); }
                    catch (Exception e) { call.Result.TrySetException(e); }
                }));
                return;
            }
            var byId = new Dictionary<long, JsonElement>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var itemId) && IdOf(itemId) is { } n)
                    byId.TryAdd(n, item);
            }
            foreach (var call in calls)
            {
                try
                {
                    if (!byId.TryGetValue(call.Id, out var item))
                        throw Malformed(call.Method, $"the batch answer has no response with id {call.Id}: {Snippet(response)}");
                    call.Result.TrySetResult(ResultOf(call.Method, call.Id, item, response));
                }
                catch (Exception e)
                {
                    Traffic.RecordFailure(call.Method, e is JsonRpcErrorException ? RpcFailure.RpcError : RpcFailure.Malformed);
                    call.Result.TrySetException(e);
                }
            }
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> PostWithRetriesAsync(string method, byte[] body, CancellationToken ct)
    {
        var backoff = _options.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            Exception? cause;
            try
            {
                return await AttemptAsync(body, ct);
            }
            catch (TransportFailure e)
            {
                failure = e.Message;
                cause = e.InnerException;
            }
            catch (JsonRpcErrorException)
            {
                Traffic.RecordFailure(method, RpcFailure.RpcError);
                throw;
            }
            catch (ChainRpcException)
            {
                Traffic.RecordFailure(method, RpcFailure.Malformed);
                throw;
            }
            Traffic.RecordTransportFailure();
            if (attempt >= _options.MaxAttempts)
            {
                Traffic.RecordFailure(method, RpcFailure.Transport);
                throw new ChainUnavailableException(method, Endpoint, failure, attempt, cause);
            }
            _log.Debug("RPC {Method} at {Endpoint} failed ({Failure}); retry {Attempt} in {Backoff}", method, Endpoint, failure, attempt, backoff);
            await Task.Delay(backoff, ct);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> AttemptAsync(byte[] body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        byte[] responseBytes;
        HttpStatusCode status;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            Traffic.RecordRequest(body.Length);
            using var response = await _http.PostAsync(Endpoint, content, timeout.Token);
            status = response.StatusCode;
            responseBytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            Traffic.RecordResponse(responseBytes.Length);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TransportFailure($"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException e)
        {
            throw new TransportFailure(Describe(e), e);
        }

        if ((int)status >= 500 || status == HttpStatusCode.TooManyRequests)
            throw new TransportFailure($"HTTP {(int)status} {status}", null);
        return (status, responseBytes);
    }

    private JsonElement ParseResponse(string method, long id, HttpStatusCode status, byte[] responseBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(responseBytes);
        }
        catch (JsonException)
        {
            throw Malformed(method, $"HTTP {(int)status} with a body that is not JSON: {Snippet(responseBytes)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Malformed(method, $"expected a JSON-RPC response object, got {Snippet(responseBytes)}");
            return ResultOf(method, id, root, responseBytes);
        }
    }

    private JsonElement ResultOf(string method, long id, JsonElement root, byte[] responseBytes)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Malformed(method, $"expected a JSON-RPC response object, got {Snippet(responseBytes)}");
        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            throw ToRpcError(method, error, responseBytes);
        if (!root.TryGetProperty("id", out var responseId) || !SameId(responseId, id))
            throw Malformed(method, $"response id does not match request id {id}: {Snippet(responseBytes)}");
        if (!root.TryGetProperty("result", out var result))
            throw Malformed(method, $"response has neither result nor error: {Snippet(responseBytes)}");
        return result.Clone();
    }

    private ChainRpcException ToRpcError(string method, JsonElement error, byte[] responseBytes)
    {
        if (error.ValueKind != JsonValueKind.Object
            || !error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || !code.TryGetInt64(out var codeValue))
            throw Malformed(method, $"malformed error object: {Snippet(responseBytes)}");
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        return new JsonRpcErrorException(method, Endpoint, codeValue, message, RevertDataOf(error));
    }

    /// <summary>Nodes put revert data in error.data as a hex string (geth, Hardhat for eth_call) or as {data: hex} (Hardhat).</summary>
    private static byte[]? RevertDataOf(JsonElement error)
    {
        if (!error.TryGetProperty("data", out var data)) return null;
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("data", out var inner)) data = inner;
        return data.ValueKind == JsonValueKind.String && data.GetString() is { } hex && hex.StartsWith("0x") && Hex.TryDecode(hex, out var bytes)
            ? bytes
            : null;
    }

    private static bool SameId(JsonElement responseId, long id) => IdOf(responseId) == id;

    private static long? IdOf(JsonElement responseId) => responseId.ValueKind switch
    {
        JsonValueKind.Number when responseId.TryGetInt64(out var n) => n,
        JsonValueKind.String when long.TryParse(responseId.GetString(), out var n) => n,
        _ => null,
    };

    private ChainRpcException Malformed(string method, string problem) => new(method, Endpoint, $"malformed response: {problem}");

    private static string Snippet(byte[] bytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200));
        return bytes.Length > 200 ? $"'{text}…'" : $"'{text}'";
    }

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData => "host not found",
                    SocketError.ConnectionReset => "connection reset",
                    SocketError.TimedOut => "connection timed out",
                    _ => socket.Message,
                };
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => "connection closed before a full response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            _ => e.Message,
        };
    }

    public void Dispose() => _http.Dispose();

    private sealed class TransportFailure(string message, Exception? inner) : Exception(message, inner);
}
