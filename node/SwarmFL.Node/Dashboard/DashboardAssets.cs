using System.Reflection;

namespace SwarmFL.Node.Dashboard;

public sealed record DashboardAsset(byte[] Content, string ContentType);

/// <summary>The page's files, embedded in the executable at build time (wwwroot/, and Chart.js's UMD build copied from
/// node_modules by the project file): the page works offline and needs no CDN.</summary>
public static class DashboardAssets
{
    private const string Prefix = "dashboard/";

    public static IReadOnlyList<(string Route, DashboardAsset Asset)> Routes { get; } = Load();

    private static IReadOnlyList<(string Route, DashboardAsset Asset)> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var routes = new List<(string, DashboardAsset)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var path = name[Prefix.Length..];
            var asset = new DashboardAsset(copy.ToArray(), ContentTypeOf(path));
            routes.Add(("/" + path, asset));
            if (path == "index.html") routes.Add(("/", asset));
        }
        return routes;
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
