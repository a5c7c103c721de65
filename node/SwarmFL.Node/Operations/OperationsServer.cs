using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Operations;

/// <summary>
/// The operations endpoint of one node, on Kestrel: GET /metrics (Prometheus text format), /healthz and /readyz
/// (200 "ok", or 503 with one line saying why not). It starts before the node does, so a supervisor sees "starting"
/// while the node connects to its chain and registers; <see cref="Attach"/> hands it the node once it runs.
/// </summary>
public sealed class OperationsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NodeMetrics _metrics;
    private volatile SwarmNode? _node;

    private OperationsServer(WebApplication app, NodeMetrics metrics) => (_app, _metrics) = (app, metrics);

    /// <summary>The address it listens on (with the port the OS chose when asked for port 0).</summary>
    public Uri Address { get; private set; } = null!;

    public static async Task<OperationsServer> StartAsync(OperationsEndpoint endpoint, string version, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "swarmfl" });
        // The node logs through Serilog; ASP.NET Core's own console logger would interleave with the live view.
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(endpoint.Address, endpoint.Port);
            options.AddServerHeader = false;
        });
        var app = builder.Build();
        var server = new OperationsServer(app, new NodeMetrics(version));
        app.MapGet("/metrics", server.ScrapeAsync);
        app.MapGet("/healthz", context => Answer(context, server._node?.Liveness() ?? NotStarted));
        app.MapGet("/readyz", context => Answer(context, server._node?.Readiness() ?? NotStarted));
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new Cli.UserFacingException($"--metrics {endpoint}: cannot listen there: {e.Message}", Cli.ExitCodes.BadInput, e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(bound.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "[::1]"));
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

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(timeout.Token); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
