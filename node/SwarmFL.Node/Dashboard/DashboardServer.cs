using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SwarmFL.Node.Web;

namespace SwarmFL.Node.Dashboard;

/// <summary>
/// The dashboard's web server (a <see cref="LocalWebHost"/>): the embedded page and the read-only API
/// of docs/dashboard.md. It polls its <see cref="SwarmSource"/> and publishes every change to a <see cref="ChangeFeed"/>;
/// the API serves that feed. Every route is GET; anything else is refused.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private static readonly TimeSpan LivePoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan FinishedPoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private readonly LocalWebHost _host;
    private readonly CancellationTokenSource _stop;
    private readonly Task _poll;

    public ChangeFeed Feed { get; }
    public Uri Url => _host.Url;

    private DashboardServer(LocalWebHost host, ChangeFeed feed, Task poll, CancellationTokenSource stop)
    {
        _host = host;
        Feed = feed;
        _poll = poll;
        _stop = stop;
    }

    /// <param name="option">The option that named the endpoint, for the error when it cannot listen there.</param>
    public static async Task<DashboardServer> StartAsync(DashboardScope scope, WebEndpoint endpoint, string option, CancellationToken ct)
    {
        var feed = new ChangeFeed();
        var source = new SwarmSource(scope);
        // The first snapshot is read before the server answers, so /api/swarm never serves an empty page by accident.
        feed.Publish(SnapshotBuilder.Build(await source.ReadAsync(ct)));
        var host = await LocalWebHost.StartAsync(endpoint, option, app => Map(app, feed), ct);
        var stop = new CancellationTokenSource();
        return new DashboardServer(host, feed, PollAsync(source, feed, scope.Live ? LivePoll : FinishedPoll, stop.Token), stop);
    }

    private static async Task PollAsync(SwarmSource source, ChangeFeed feed, TimeSpan interval, CancellationToken ct)
    {
        var failing = new FailingPollLog(Serilog.Log.Logger, TimeSpan.FromMinutes(1));
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(interval, ct); }
            catch (OperationCanceledException) { return; }
            try
            {
                feed.Publish(SnapshotBuilder.Build(await source.ReadAsync(ct)));
                failing.Succeeded();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                failing.Failed(e);
            }
        }
    }

    private static void Map(WebApplication app, ChangeFeed feed)
    {
        app.Use(async (context, next) =>
        {
            // Read-only: nothing the page or anyone else sends can change the swarm.
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return;
            }
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            await next(context);
        });
        foreach (var (route, asset) in DashboardAssets.Routes)
            app.MapGet(route, () => Results.Bytes(asset.Content, asset.ContentType));
        app.MapGet("/api/swarm", () => Results.Text(JsonSerializer.Serialize(feed.Current, ChangeFeed.Json), "application/json; charset=utf-8"));
        app.MapGet("/api/traffic.csv", () => Results.Text(TrafficCsv.Render(feed.Current?.Traffic ?? []), "text/csv; charset=utf-8"));
        app.MapGet("/api/events", (HttpContext context) => StreamEventsAsync(context, feed));
    }

    /// <summary>Server-Sent Events: every change after <c>?after=N</c> (or the Last-Event-ID header a reconnecting
    /// EventSource sends), then each new one as it happens, in order.</summary>
    private static async Task StreamEventsAsync(HttpContext context, ChangeFeed feed)
    {
        var ct = context.RequestAborted;
        var after = long.TryParse(context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? context.Request.Query["after"].FirstOrDefault(), out var n) ? n : 0;
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync("retry: 2000\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(ct);
                keepAlive.CancelAfter(KeepAlive);
                IReadOnlyList<DashboardChange> changes;
                try { changes = await feed.NextAsync(after, keepAlive.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", ct);
                    await context.Response.Body.FlushAsync(ct);
                    continue;
                }
                var text = new StringBuilder();
                foreach (var change in changes)
                    text.Append("id: ").Append(change.Sequence).Append("\nevent: ").Append(change.Kind).Append("\ndata: ").Append(change.Data).Append("\n\n");
                await context.Response.WriteAsync(text.ToString(), ct);
                await context.Response.Body.FlushAsync(ct);
                after = changes[^1].Sequence;
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _poll;
        await _host.DisposeAsync();
        _stop.Dispose();
    }
}
