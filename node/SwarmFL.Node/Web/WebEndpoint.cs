using System.Globalization;
using System.Net;

namespace SwarmFL.Node.Web;

/// <summary>
/// Where one of the node's web servers (dashboard, /metrics) listens: `PORT`, `:PORT`, `ADDR:PORT` or `[IPv6]:PORT`.
/// Without an address it binds to 127.0.0.1: what a node shows says what it does and when, so exposing it is a choice.
/// </summary>
public sealed record WebEndpoint(IPAddress Address, int Port)
{
    public IPEndPoint ToIPEndPoint() => new(Address, Port);

    /// <summary>Bad input: a <see cref="FormatException"/> saying which forms are accepted.</summary>
    public static WebEndpoint Parse(string text)
    {
        var value = text.Trim();
        if (value.Length == 0) throw Bad(text, "it is empty");
        string host, port;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            if (close < 0 || close + 1 >= value.Length || value[close + 1] != ':') throw Bad(text, "an IPv6 address is written [ADDR]:PORT");
            host = value[1..close];
            port = value[(close + 2)..];
        }
        else if (value.LastIndexOf(':') is var colon and >= 0)
        {
            host = value[..colon];
            port = value[(colon + 1)..];
            if (host.Contains(':')) throw Bad(text, "write an IPv6 address in brackets: [ADDR]:PORT");
        }
        else
        {
            host = "";
            port = value;
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 0 or > 65535)
            throw Bad(text, $"'{port}' is not a port number (0-65535; 0 picks a free one)");
        IPAddress address;
        if (host.Length == 0) address = IPAddress.Loopback;
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host, out address!)) throw Bad(text, $"'{host}' is not an IP address (use 127.0.0.1, 0.0.0.0, [::1] …)");
        return new WebEndpoint(address, number);
    }

    public override string ToString() => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    private static FormatException Bad(string text, string why) => new($"'{text}': {why}; expected PORT, ADDR:PORT or [ADDR]:PORT");
}
