using SwarmFL.Node.Devnet;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>`devnet up --metrics-port BASE`: node I gets --metrics 127.0.0.1:(BASE+I); without it, no --metrics.</summary>
public sealed class DevnetMetricsPortTests
{
    private static readonly SwarmEndpoint Swarm = new("http://127.0.0.1:8545", "0x5FbDB2315678afecb367f032d93F642f64180aa3");

    [Fact]
    public void Each_node_gets_its_own_loopback_metrics_port_only_when_asked()
    {
        var options = new DevnetOptions { Nodes = 3, MetricsPortBase = 9500 };
        var ports = new Queue<int>([4101, 4102, 4103]);
        var slots = NodeSlot.Plan("/runs/x", 3, ports.Dequeue).Select(s => s with { MetricsPort = options.MetricsPortBase + s.Index }).ToList();
        var lines = slots.Select(s => NodeCommandLine.Build(s, options, Swarm, "/mnist", null).ToList()).ToList();
        Assert.Equal(["127.0.0.1:9500", "127.0.0.1:9501", "127.0.0.1:9502"], lines.Select(l => l[l.IndexOf("--metrics") + 1]));
        Assert.Equal("http://127.0.0.1:9501/metrics", slots[1].MetricsUrl);

        var plain = NodeSlot.Plan("/runs/y", 1, () => 4200).Single();
        Assert.DoesNotContain("--metrics", NodeCommandLine.Build(plain, new DevnetOptions(), Swarm, "/mnist", null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65534)]
    public void A_base_port_whose_range_leaves_the_valid_ports_is_refused(int port) =>
        Assert.Contains(new DevnetOptions { Nodes = 3, MetricsPortBase = port }.Problems(), p => p.Contains("--metrics-port"));
}
