using System.Net;

namespace SwarmFL.Node.Operations;

/// <summary>
/// Where the operations endpoint (/metrics, /healthz, /readyz) listens: `PORT`, `:PORT`, `ADDR:PORT` or `[IPv6]:PORT`.
/// Without an address it binds to 127.0.0.1: metrics say what a node does and when, so exposing them is a choice.
/// </summary>
public sealed record OperationsEndpoint(IPAddress Address, int Port)
{
    public static OperationsEndpoint Parse(string text)
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
        if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number is < 0 or > 65535)
            throw Bad(text, $"'{port}' is not a port number (0-65535)");
        IPAddress address;
        if (host.Length == 0) address = IPAddress.Loopback;
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host, out address!)) throw Bad(text, $"'{host}' is not an IP address (use 127.0.0.1, 0.0.0.0, [::1] …)");
        return new OperationsEndpoint(address, number);
    }

    public override string ToString() => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    private static FormatException Bad(string text, string why) => new($"--metrics '{text}': {why}; expected PORT, ADDR:PORT or [ADDR]:PORT");
}
