using System.Net;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Crypto;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.TestSupport;

namespace SwarmFL.P2P.Tests.Codecs;

public class MultiaddrTests
{
    private static readonly string Secp = NodeKey.FromHex("0x" + new string('1', 64)).PeerId.ToString();

    private static readonly string[] Valid =
    [
        "/ip4/127.0.0.1/tcp/4001",
        "/ip4/0.0.0.0/tcp/0",
        "/ip4/255.255.255.255/tcp/65535",
        "/ip6/::1/tcp/4001",
        "/ip6/2001:db8::ff00:42:8329/tcp/443",
        "/dns4/example.com/tcp/80",
        "/dns6/node-1.swarm.local/tcp/9000",
        "/dns/host_name.example/tcp/1",
        "/ip4/10.0.0.1/tcp/4001/p2p/" + "12D3KooWHze9DasnRjdQqcYfsBKG7zWfWxTsV9MUrfK31NWiwPe9",
        "/ip4/10.0.0.1/tcp/4001/p2p/SECP",
        "/p2p/SECP",
    ];

    [Fact]
    public async Task Binary_and_text_forms_match_the_js_multiaddr_reference()
    {
        var addresses = Valid.Select(a => a.Replace("SECP", Secp)).ToArray();
        var output = await NodeScript.RunAsync("p2p/multiaddr.mjs", addresses);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(addresses.Length, lines.Length);
        foreach (var (text, reference) in addresses.Zip(lines))
        {
            Assert.Null(reference["error"]);
            var ours = Multiaddr.Parse(text);
            Assert.Equal((string)reference["hex"]!, Convert.ToHexStringLower(ours.ToBytes()));
            Assert.Equal((string)reference["canonical"]!, Multiaddr.FromBytes(Convert.FromHexString((string)reference["hex"]!)).ToString());
        }
    }

    [Theory]
    [InlineData("", "must start with '/'")]
    [InlineData("ip4/1.2.3.4", "must start with '/'")]
    [InlineData("/ip4/1.2.3", "not an IPv4 address")]
    [InlineData("/ip4/300.1.1.1/tcp/1", "not an IPv4 address")]
    [InlineData("/ip4/1.2.3.4/tcp/65536", "not a TCP port")]
    [InlineData("/ip4/1.2.3.4/tcp/-1", "not a TCP port")]
    [InlineData("/ip4/1.2.3.4/tcp", "needs a value")]
    [InlineData("/ip6/1.2.3.4/tcp/1", "not an IPv6 address")]
    [InlineData("/udp/1234", "unknown protocol 'udp'")]
    [InlineData("/dns4/exa mple.com/tcp/1", "not a DNS name")]
    [InlineData("/p2p/notapeerid", "PeerId")]
    public void Malformed_text_is_refused_with_a_reason(string text, string reason)
    {
        Assert.False(Multiaddr.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains(reason, Assert.Throws<FormatException>(() => Multiaddr.Parse(text)).Message);
    }

    [Theory]
    [InlineData("04010203", "truncated")]            // ip4 with 3 bytes
    [InlineData("0401020304060f", "truncated")]      // tcp with 1 byte
    [InlineData("9102", "unknown multiaddr protocol code")] // udp (273)
    [InlineData("36ff01", "truncated")]              // dns4 claiming 255 bytes
    [InlineData("a50303010203", "multihash")]        // p2p holding garbage
    [InlineData("", "empty")]
    public void Malformed_binary_is_refused(string hex, string reason)
    {
        var error = Assert.Throws<FormatException>(() => Multiaddr.FromBytes(Convert.FromHexString(hex)));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static Gen<MultiaddrComponent> HostGen() => Gen.OneOf(
        Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 4).Select(b => MultiaddrComponent.Ip(new IPAddress(b))),
        Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 16).Select(b => MultiaddrComponent.Ip(new IPAddress(b))),
        Gen.Elements("a", "example.com", "x-1.y_2.z", "localhost").SelectMany(name =>
            Gen.Elements(MultiaddrProtocol.Dns, MultiaddrProtocol.Dns4, MultiaddrProtocol.Dns6).Select(p => MultiaddrComponent.FromText(p, name))));

    private static Gen<Multiaddr> AddressGen() =>
        from host in HostGen()
        from port in Gen.Choose(0, 65535)
        from withPeer in ArbMap.Default.GeneratorFor<bool>()
        select new Multiaddr(withPeer
            ? [host, MultiaddrComponent.Tcp(port), MultiaddrComponent.P2p(NodeKey.FromPrivateKey(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(port))).PeerId)]
            : [host, MultiaddrComponent.Tcp(port)]);

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Text_and_binary_round_trip() => Prop.ForAll(AddressGen().ToArbitrary(), address =>
        Multiaddr.Parse(address.ToString()).Equals(address)
        && Multiaddr.FromBytes(address.ToBytes()).Equals(address)
        && Multiaddr.FromBytes(address.ToBytes()).ToString() == address.ToString());

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public bool Random_bytes_parse_or_fail_with_FormatException(byte[] bytes)
    {
        try
        {
            var address = Multiaddr.FromBytes(bytes);
            return address.ToBytes().AsSpan().SequenceEqual(bytes); // whatever parses re-encodes identically
        }
        catch (FormatException)
        {
            return true;
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public bool Random_text_parses_or_fails_with_a_message(string? text)
    {
        if (Multiaddr.TryParse(text, out var address, out var error)) return Multiaddr.Parse(address.ToString()).Equals(address);
        return error.Length > 0;
    }
}
