using System.Net;
using SwarmFL.Node.Operations;
using SwarmFL.Node.Web;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.Operations;

public sealed class WebEndpointTests
{
    [Theory]
    [InlineData("9464", "127.0.0.1", 9464)]
    [InlineData(":9464", "127.0.0.1", 9464)]
    [InlineData("localhost:1", "127.0.0.1", 1)]
    [InlineData("0.0.0.0:9464", "0.0.0.0", 9464)]
    [InlineData("[::1]:0", "::1", 0)]
    public void Parses_port_address_and_defaults_to_loopback(string text, string address, int port)
    {
        var endpoint = WebEndpoint.Parse(text);
        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:80")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("::1:80")]
    [InlineData("[::1]80")]
    [InlineData("127.0.0.1:-1")]
    public void Refuses_malformed_endpoints_with_the_expected_forms(string text)
    {
        var e = Assert.Throws<FormatException>(() => WebEndpoint.Parse(text));
        Assert.Contains("ADDR:PORT", e.Message);
    }

    private static NodeHealthFacts Healthy(DateTimeOffset now) => new(true, true, true, true, false, true, now.AddSeconds(-1), null, now);

    [Fact]
    public void Health_checks_name_what_is_missing()
    {
        var now = DateTimeOffset.UnixEpoch.AddDays(1);
        Assert.True(NodeHealth.Liveness(Healthy(now)).Healthy);
        Assert.True(NodeHealth.Readiness(Healthy(now)).Healthy);
        Assert.Contains("starting", NodeHealth.Liveness(Healthy(now) with { Started = false }).Reason);
        Assert.Contains("round loop", NodeHealth.Liveness(Healthy(now) with { RoundLoopRunning = false }).Reason);
        Assert.Contains("registered", NodeHealth.Readiness(Healthy(now) with { Registered = false }).Reason);
        Assert.Contains("alone", NodeHealth.Readiness(Healthy(now) with { AloneInRing = true }).Reason);
        Assert.True(NodeHealth.Readiness(Healthy(now) with { AloneInRing = true, ExpectsPeers = false }).Healthy);
        var stale = NodeHealth.Readiness(Healthy(now) with { LastHeadRead = now - NodeHealth.ChainStaleAfter - TimeSpan.FromSeconds(1), LastChainError = "connection refused" });
        Assert.False(stale.Healthy);
        Assert.Contains("connection refused", stale.Reason);
        // A chain outage is a readiness problem, never a liveness one: restarting the node would not bring the chain back.
        Assert.True(NodeHealth.Liveness(Healthy(now) with { LastHeadRead = null }).Healthy);
    }
}
