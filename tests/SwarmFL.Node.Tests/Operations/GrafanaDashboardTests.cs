using System.Text.Json;
using System.Text.RegularExpressions;
using SwarmFL.Node.Operations;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>docs/grafana/swarmfl-node.json: importable as is, and every query asks for a metric the node exports.</summary>
public sealed class GrafanaDashboardTests
{
    private static readonly string DashboardPath = Path.Combine(RepoPaths.Root, "docs", "grafana", "swarmfl-node.json");

    [Fact]
    public async Task Every_panel_queries_exported_metrics_through_the_templated_data_source()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var root = dashboard.RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("schemaVersion").ValueKind);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()));
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        Assert.Contains(variables, v => v.GetProperty("name").GetString() == "datasource" && v.GetProperty("type").GetString() == "datasource"
            && v.GetProperty("query").GetString() == "prometheus");

        var metrics = new NodeMetrics("0.0.0");
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        var exported = PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray())).Keys.ToHashSet();

        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        var queried = new HashSet<string>();
        foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                Assert.Equal("${datasource}", target.GetProperty("datasource").GetProperty("uid").GetString());
                foreach (Match m in Regex.Matches(target.GetProperty("expr").GetString()!, @"\bswarmfl_[a-z0-9_]+"))
                {
                    var name = Regex.Replace(m.Value, "_(bucket|sum|count)$", "");
                    Assert.True(exported.Contains(name), $"panel '{panel.GetProperty("title").GetString()}' queries {m.Value}, which the node does not export");
                    queried.Add(name);
                }
            }
        }
        Assert.True(queried.Count >= 20, $"only {queried.Count} metrics on the dashboard");
    }
}
