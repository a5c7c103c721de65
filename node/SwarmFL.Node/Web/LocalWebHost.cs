using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SwarmFL.Node.Web;

/// <summary>
/// One Kestrel server embedded in a swarmfl process (the dashboard, the operations endpoint). The process owns its
/// signals and its log: the host neither handles SIGINT/SIGTERM nor writes to the console.
/// </summary>
public sealed class LocalWebHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalWebHost(WebApplication app, Uri url) => (_app, Url) = (app, url);

    /// <summary>The address it listens on, with the port the OS chose when asked for port 0 (a wildcard shown as loopback).</summary>
    public Uri Url { get; }

    /// <param name="option">The command-line option that named the endpoint, for the error when it cannot listen there.</param>
    public static async Task<LocalWebHost> StartAsync(WebEndpoint endpoint, string option, Action<WebApplication> map, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "swarmfl", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(endpoint.ToIPEndPoint());
            options.AddServerHeader = false;
        });
        var app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new Cli.UserFacingException($"{option} {endpoint}: cannot listen there ({e.Message}); choose another port, or 0 for a free one",
                Cli.ExitCodes.BadInput, e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal)), "/");
        return new LocalWebHost(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try { await _app.StopAsync(grace.Token); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    /// <summary>A host lifetime that starts and stops when told to and handles no signals.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
