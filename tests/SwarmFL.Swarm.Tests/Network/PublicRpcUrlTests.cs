using SwarmFL.Swarm.Network;

namespace SwarmFL.Swarm.Tests.Network;

/// <summary>Swarm info is public: the RPC URL it advertises never carries the credentials an operator's URL may hold.</summary>
public sealed class PublicRpcUrlTests
{
    [Theory]
    [InlineData("http://user:pass@127.0.0.1:8545/?key=secret", "http://127.0.0.1:8545/")]
    [InlineData("https://alice@rpc.example.org/v1?apikey=abc&x=1#frag", "https://rpc.example.org/v1")]
    [InlineData("http://127.0.0.1:8545", "http://127.0.0.1:8545/")]
    [InlineData("not a url", "")]
    public void Redact_drops_user_info_query_and_fragment(string url, string expected)
    {
        var redacted = PublicRpcUrl.Redact(url);
        Assert.Equal(expected, redacted);
        Assert.DoesNotContain("pass", redacted);
        Assert.DoesNotContain("key=", redacted);
        Assert.DoesNotContain("@", redacted);
    }

    [Fact]
    public void An_advertised_public_url_wins_and_is_redacted_too()
    {
        Assert.Equal("https://public.example.org/", PublicRpcUrl.For("http://user:pass@10.0.0.1:8545/?key=1", "https://public.example.org/?token=2"));
        Assert.Equal("http://10.0.0.1:8545/", PublicRpcUrl.For("http://user:pass@10.0.0.1:8545/?key=1", null));
    }
}
