using FsCheck;
using FsCheck.Xunit;
using SwarmFL.Node.Operations;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>The test's own Prometheus parser: it must accept the format and refuse what the format forbids.</summary>
public sealed class PrometheusTextTests
{
    private const string Valid = """
        # HELP x_total A counter.
        # TYPE x_total counter
        x_total{a="1",b="q\"uote\\back\nnl"} 3
        x_total{a="2"} 0 1700000000000
        # TYPE h_seconds histogram
        h_seconds_bucket{le="0.5"} 1
        h_seconds_bucket{le="+Inf"} 2
        h_seconds_sum 1.25
        h_seconds_count 2
        # TYPE g gauge
        g NaN

        """;

    [Fact]
    public void Reads_families_samples_labels_and_escapes()
    {
        var families = PrometheusText.Parse(Valid);
        Assert.Equal(["g", "h_seconds", "x_total"], families.Keys.Order());
        Assert.Equal("A counter.", families["x_total"].Help);
        Assert.Equal("q\"uote\\back\nnl", families["x_total"].Samples[0].Label("b"));
        Assert.Equal(3, families["x_total"].Samples[0].Value);
        Assert.True(double.IsNaN(families["g"].Samples.Single().Value));
        Assert.Equal(4, families["h_seconds"].Samples.Count);
    }

    [Theory]
    [InlineData("# TYPE x counter\nx 1\n", "does not end in _total")]
    [InlineData("x_total 1\n", "outside its family")]
    [InlineData("# TYPE a gauge\nb 1\n", "outside its family")]
    [InlineData("# TYPE a gauge\n# TYPE a gauge\n", "declared twice")]
    [InlineData("# TYPE a gauge\na{l=\"x} 1\n", "unterminated")]
    [InlineData("# TYPE a gauge\na{l=\"\\t\"} 1\n", "bad escape")]
    [InlineData("# TYPE a gauge\na{l=\"1\",l=\"2\"} 1\n", "twice")]
    [InlineData("# TYPE a gauge\na one\n", "not a sample value")]
    [InlineData("# TYPE a gauge\na 1", "newline")]
    [InlineData("# TYPE a gauge\na 1\na 2\n", "same series twice")]
    [InlineData("# TYPE a_total counter\na_total -1\n", "has value")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", "differs")]
    [InlineData("# TYPE 1a gauge\n", "bad metric name")]
    public void Refuses_what_the_format_forbids(string text, string why)
    {
        var e = Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
        Assert.Contains(why, e.Message);
    }

    [Property(MaxTest = 200)]
    public bool Any_label_value_escaped_as_the_format_says_reads_back(NonNull<string> value)
    {
        var escaped = value.Get.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
        var sample = PrometheusText.ParseSample($"m{{l=\"{escaped}\"}} 1");
        return sample.Label("l") == value.Get;
    }

    /// <summary>What prometheus-net writes for our metrics before any node is attached is valid, and names them all.</summary>
    [Fact]
    public async Task The_exporter_output_without_a_node_is_valid_text_format()
    {
        var metrics = new NodeMetrics("9.9.9");
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        var families = PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        Assert.All(families.Keys, name => Assert.StartsWith("swarmfl_", name));
        Assert.Equal("9.9.9", families["swarmfl_build_info"].Samples.Single().Label("version"));
        Assert.Equal("histogram", families["swarmfl_activity_seconds"].Type);
        Assert.Equal(NodeMetrics.Activities.Order(), families["swarmfl_activity_seconds"].Samples.Select(s => s.Label("activity")).Distinct().Order());
        Assert.Equal(Enum.GetNames<SwarmFL.Swarm.Rounds.RoundPhase>().Order(), families["swarmfl_phase"].Samples.Select(s => s.Label("phase")).Order());
    }
}
