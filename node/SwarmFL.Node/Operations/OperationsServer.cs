using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;
using SwarmFL.Node.Web;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Operations;

/// <summary>
/// The operations endpoint of one node, on a <see cref="LocalWebHost"/>: GET /metrics (Prometheus text format), /healthz and /readyz
/// (200 "ok", or 503 with one line saying why not). It starts before the node does, so a supervisor sees "starting"
/// while the node connects to its chain and registers; <see cref="Attach"/> hands it the node once it runs.
/// </summary>
public sealed class OperationsServer : IAsyncDisposable
{
    private readonly NodeMetrics _metrics;
    private LocalWebHost _host = null!;
    private volatile SwarmNode? _node;

    private OperationsServer(NodeMetrics metrics) => _metrics = metrics;

    /// <summary>The address it listens on (with the port the OS chose when asked for port 0).</summary>
    public Uri Address => _host.Url;

    public static async Task<OperationsServer> StartAsync(WebEndpoint endpoint, string version, CancellationToken ct)
    {
        var server = new OperationsServer(new NodeMetrics(version));
        server._host = await LocalWebHost.StartAsync(endpoint, "--metrics", app =>
        {
            app.MapGet("/metrics", server.ScrapeAsync);
            app.MapGet("/healthz", context => Answer(context, server._node?.Liveness() ?? NotStarted));
            app.MapGet("/readyz", context => Answer(context, server._node?.Readiness() ?? NotStarted));
        }, ct);
        return server;
    }

    /// <summary>The Prometheus text exposition format, version 0.0.4 (what CollectAndExportAsTextAsync writes).</summary>
    public const string PrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly HealthAnswer NotStarted = HealthAnswer.Fail("starting: connecting to the chain, registering and joining the ring");

    /// <summary>From now on the checks and the metrics read this node.</summary>
    public void Attach(SwarmNode node)
    {
        _metrics.Attach(node.Telemetry);
        _metrics.Health = () => (node.Liveness().Healthy, node.Readiness().Healthy);
        _node = node;
    }

    private async Task ScrapeAsync(HttpContext context)
    {
        context.Response.ContentType = PrometheusTextContentType;
        context.Response.Headers.CacheControl = "no-store";
        await _metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    private static Task Answer(HttpContext context, HealthAnswer answer)
    {
        context.Response.StatusCode = answer.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(answer.Reason.ReplaceLineEndings(" ") + "\n");
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
