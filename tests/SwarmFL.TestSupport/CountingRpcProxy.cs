using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SwarmFL.TestSupport;

/// <summary>
/// A JSON-RPC proxy on a free loopback port in front of a real chain node: every request (single or batch) is
/// forwarded unchanged and its methods are counted, so a test can assert how many eth_calls a component made.
/// </summary>
public sealed class CountingRpcProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Uri _target;
    private readonly ConcurrentDictionary<string, long> _calls = new();
    private readonly Task _serving;

    public CountingRpcProxy(string targetUrl)
    {
        _target = new Uri(targetUrl);
        var port = FreePort.Next();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url { get; }

    /// <summary>Added before each request is forwarded: a remote RPC's round trip.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The most requests that were in flight at once since the proxy started.</summary>
    public int PeakInFlight => _peak;

    private int _inFlight;
    private int _peak;

    /// <summary>How many times <paramref name="method"/> was asked since the proxy started.</summary>
    public long Count(string method) => _calls.GetValueOrDefault(method);

    public IReadOnlyDictionary<string, long> Counts => new Dictionary<string, long>(_calls);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            CountMethods(body);
            var now = Interlocked.Increment(ref _inFlight);
            for (var peak = _peak; now > peak; peak = _peak) Interlocked.CompareExchange(ref _peak, now, peak);
            try { if (Delay > TimeSpan.Zero) await Task.Delay(Delay); }
            finally { Interlocked.Decrement(ref _inFlight); }
            using var response = await _upstream.PostAsync(_target, new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = await response.Content.ReadAsByteArrayAsync();
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or HttpListenerException or TaskCanceledException)
        {
            context.Response.StatusCode = 502;
        }
        finally
        {
            try { context.Response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
        }
    }

    private void CountMethods(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var requests = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToArray() : [doc.RootElement];
            foreach (var request in requests)
                if (request.TryGetProperty("method", out var method) && method.GetString() is { } name)
                    _calls.AddOrUpdate(name, 1, (_, n) => n + 1);
        }
        catch (JsonException) { _calls.AddOrUpdate("(malformed)", 1, (_, n) => n + 1); }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
        _upstream.Dispose();
    }
}
