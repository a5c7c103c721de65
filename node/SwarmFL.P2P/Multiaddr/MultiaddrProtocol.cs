namespace SwarmFL.P2P.Multiaddrs;

/// <summary>The multiaddr protocols SwarmFL speaks (codes from the multicodec table).</summary>
public enum MultiaddrProtocol
{
    Ip4 = 4,
    Tcp = 6,
    Ip6 = 41,
    Dns = 53,
    Dns4 = 54,
    Dns6 = 55,
    P2p = 421,
}

internal static class MultiaddrProtocols
{
    /// <summary>Size of the binary value in bytes, or -1 when it is varint-length-prefixed.</summary>
    public static int FixedSize(MultiaddrProtocol protocol) => protocol switch
    {
        MultiaddrProtocol.Ip4 => 4,
        MultiaddrProtocol.Tcp => 2,
        MultiaddrProtocol.Ip6 => 16,
        _ => -1,
    };

    public static string Name(MultiaddrProtocol protocol) => protocol switch
    {
        MultiaddrProtocol.Ip4 => "ip4",
        MultiaddrProtocol.Tcp => "tcp",
        MultiaddrProtocol.Ip6 => "ip6",
        MultiaddrProtocol.Dns => "dns",
        MultiaddrProtocol.Dns4 => "dns4",
        MultiaddrProtocol.Dns6 => "dns6",
        MultiaddrProtocol.P2p => "p2p",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static bool TryFromName(string name, out MultiaddrProtocol protocol)
    {
        protocol = name switch
        {
            "ip4" => MultiaddrProtocol.Ip4,
            "tcp" => MultiaddrProtocol.Tcp,
            "ip6" => MultiaddrProtocol.Ip6,
            "dns" => MultiaddrProtocol.Dns,
            "dns4" => MultiaddrProtocol.Dns4,
            "dns6" => MultiaddrProtocol.Dns6,
            "p2p" or "ipfs" => MultiaddrProtocol.P2p,
            _ => 0,
        };
        return protocol != 0;
    }

    public static bool IsKnownCode(ulong code) => code is 4 or 6 or 41 or 53 or 54 or 55 or 421;
}
