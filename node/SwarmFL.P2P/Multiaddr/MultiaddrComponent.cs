using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SwarmFL.Crypto;

namespace SwarmFL.P2P.Multiaddrs;

/// <summary>One /protocol/value pair of a multiaddr. The value is held in its binary (wire) form.</summary>
public sealed class MultiaddrComponent : IEquatable<MultiaddrComponent>
{
    private const int MaxDnsNameLength = 253;
    private readonly byte[] _value;

    private MultiaddrComponent(MultiaddrProtocol protocol, byte[] value)
    {
        Protocol = protocol;
        _value = value;
    }

    public MultiaddrProtocol Protocol { get; }
    public ReadOnlySpan<byte> Value => _value;

    public static MultiaddrComponent Ip(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => new(MultiaddrProtocol.Ip4, address.GetAddressBytes()),
        AddressFamily.InterNetworkV6 => new(MultiaddrProtocol.Ip6, address.GetAddressBytes()),
        _ => throw new ArgumentException($"unsupported address family {address.AddressFamily}"),
    };

    public static MultiaddrComponent Tcp(int port)
    {
        if (port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), "a TCP port is 0..65535");
        var value = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)port);
        return new(MultiaddrProtocol.Tcp, value);
    }

    public static MultiaddrComponent P2p(PeerId peer) => new(MultiaddrProtocol.P2p, peer.ToBytes());

    public IPAddress AsIPAddress() => Protocol is MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6
        ? new IPAddress(_value)
        : throw new InvalidOperationException($"/{MultiaddrProtocols.Name(Protocol)} is not an IP address");

    public int AsPort() => Protocol == MultiaddrProtocol.Tcp
        ? BinaryPrimitives.ReadUInt16BigEndian(_value)
        : throw new InvalidOperationException($"/{MultiaddrProtocols.Name(Protocol)} is not a port");

    public PeerId AsPeerId() => Protocol == MultiaddrProtocol.P2p
        ? PeerId.FromBytes(_value)
        : throw new InvalidOperationException($"/{MultiaddrProtocols.Name(Protocol)} is not a peer id");

    public string AsDnsName() => Protocol is MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6
        ? Encoding.ASCII.GetString(_value)
        : throw new InvalidOperationException($"/{MultiaddrProtocols.Name(Protocol)} is not a DNS name");

    /// <summary>Parses the text value of one component; throws FormatException with the reason.</summary>
    public static MultiaddrComponent FromText(MultiaddrProtocol protocol, string text)
    {
        switch (protocol)
        {
            case MultiaddrProtocol.Ip4:
                if (!IPAddress.TryParse(text, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork || text.Count(c => c == '.') != 3)
                    throw new FormatException($"'{text}' is not an IPv4 address");
                return new(protocol, v4.GetAddressBytes());
            case MultiaddrProtocol.Ip6:
                if (text.Contains('%') || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                    throw new FormatException($"'{text}' is not an IPv6 address");
                return new(protocol, v6.GetAddressBytes());
            case MultiaddrProtocol.Tcp:
                if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit) || !int.TryParse(text, out var port) || port > 65535)
                    throw new FormatException($"'{text}' is not a TCP port (0..65535)");
                return Tcp(port);
            case MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6:
                ValidateDnsName(text);
                return new(protocol, Encoding.ASCII.GetBytes(text));
            case MultiaddrProtocol.P2p:
                if (!PeerId.TryParse(text, out var peer, out var error)) throw new FormatException(error);
                return P2p(peer);
            default:
                throw new FormatException($"unsupported protocol {protocol}");
        }
    }

    /// <summary>Validates a binary value read from the wire and wraps it.</summary>
    public static MultiaddrComponent FromBinary(MultiaddrProtocol protocol, ReadOnlySpan<byte> value)
    {
        var fixedSize = MultiaddrProtocols.FixedSize(protocol);
        if (fixedSize >= 0 && value.Length != fixedSize)
            throw new FormatException($"/{MultiaddrProtocols.Name(protocol)} needs {fixedSize} bytes, got {value.Length}");
        switch (protocol)
        {
            case MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6:
                foreach (var b in value)
                    if (b >= 0x80) throw new FormatException("a DNS name must be ASCII");
                ValidateDnsName(Encoding.ASCII.GetString(value));
                break;
            case MultiaddrProtocol.P2p:
                PeerId.FromBytes(value);
                break;
        }
        return new(protocol, value.ToArray());
    }

    private static void ValidateDnsName(string name)
    {
        if (name.Length is 0 or > MaxDnsNameLength) throw new FormatException($"a DNS name has 1..{MaxDnsNameLength} characters");
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
                throw new FormatException($"'{name}' is not a DNS name (character '{c}')");
    }

    public string ValueText() => Protocol switch
    {
        MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6 => new IPAddress(_value).ToString(),
        MultiaddrProtocol.Tcp => AsPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        MultiaddrProtocol.P2p => AsPeerId().ToString(),
        _ => Encoding.ASCII.GetString(_value),
    };

    public override string ToString() => $"/{MultiaddrProtocols.Name(Protocol)}/{ValueText()}";
    public bool Equals(MultiaddrComponent? other) => other is not null && Protocol == other.Protocol && _value.AsSpan().SequenceEqual(other._value);
    public override bool Equals(object? obj) => Equals(obj as MultiaddrComponent);
    public override int GetHashCode() => HashCode.Combine(Protocol, _value.Length, _value.Length > 0 ? _value[^1] : 0);
}
