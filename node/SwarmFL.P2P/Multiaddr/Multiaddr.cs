using System.Net;
using SwarmFL.Crypto;
using SwarmFL.Crypto.Multiformats;

namespace SwarmFL.P2P.Multiaddrs;

/// <summary>
/// A self-describing network address (multiformats/multiaddr): text <c>/ip4/1.2.3.4/tcp/4001/p2p/16Uiu2…</c> and the
/// binary form <c>varint(code) ‖ value</c> per component. Parsing is strict: unknown protocols, malformed values and
/// trailing bytes are errors that say what was wrong.
/// </summary>
public sealed class Multiaddr : IEquatable<Multiaddr>
{
    /// <summary>Binary multiaddrs above this size are refused (identify and peer records carry them from strangers).</summary>
    public const int MaxBinaryLength = 1024;

    private readonly MultiaddrComponent[] _components;

    public Multiaddr(IEnumerable<MultiaddrComponent> components)
    {
        _components = components.ToArray();
        if (_components.Length == 0) throw new ArgumentException("a multiaddr has at least one component");
    }

    public IReadOnlyList<MultiaddrComponent> Components => _components;

    public static Multiaddr Parse(string text)
    {
        if (!TryParse(text, out var address, out var error)) throw new FormatException(error);
        return address;
    }

    public static bool TryParse(string? text, out Multiaddr address, out string error)
    {
        address = null!;
        error = "";
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            error = $"multiaddr '{text}' must start with '/'";
            return false;
        }
        var parts = text.Split('/');
        if (parts[^1].Length == 0 && parts.Length > 1) parts = parts[..^1]; // a trailing slash is tolerated
        var components = new List<MultiaddrComponent>();
        for (var i = 1; i < parts.Length; i++)
        {
            if (!MultiaddrProtocols.TryFromName(parts[i], out var protocol))
            {
                error = $"multiaddr '{text}': unknown protocol '{parts[i]}'";
                return false;
            }
            if (i + 1 >= parts.Length)
            {
                error = $"multiaddr '{text}': /{parts[i]} needs a value";
                return false;
            }
            try
            {
                components.Add(MultiaddrComponent.FromText(protocol, parts[++i]));
            }
            catch (FormatException e)
            {
                error = $"multiaddr '{text}': /{parts[i - 1]}: {e.Message}";
                return false;
            }
        }
        if (components.Count == 0)
        {
            error = $"multiaddr '{text}' is empty";
            return false;
        }
        address = new Multiaddr(components);
        return true;
    }

    public static Multiaddr FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) throw new FormatException("an empty binary multiaddr");
        if (bytes.Length > MaxBinaryLength) throw new FormatException($"a binary multiaddr is at most {MaxBinaryLength} bytes");
        var components = new List<MultiaddrComponent>();
        while (!bytes.IsEmpty)
        {
            var code = UVarint.Read(bytes, out var n);
            bytes = bytes[n..];
            if (!MultiaddrProtocols.IsKnownCode(code)) throw new FormatException($"unknown multiaddr protocol code {code}");
            var protocol = (MultiaddrProtocol)code;
            var size = MultiaddrProtocols.FixedSize(protocol);
            if (size < 0)
            {
                var length = UVarint.Read(bytes, out n);
                bytes = bytes[n..];
                if (length > (ulong)bytes.Length) throw new FormatException($"/{MultiaddrProtocols.Name(protocol)} value is truncated");
                size = (int)length;
            }
            if (size > bytes.Length) throw new FormatException($"/{MultiaddrProtocols.Name(protocol)} value is truncated");
            components.Add(MultiaddrComponent.FromBinary(protocol, bytes[..size]));
            bytes = bytes[size..];
        }
        return new Multiaddr(components);
    }

    public byte[] ToBytes()
    {
        using var output = new MemoryStream();
        Span<byte> varint = stackalloc byte[UVarint.MaxLength];
        foreach (var component in _components)
        {
            output.Write(varint[..UVarint.Write((ulong)component.Protocol, varint)]);
            if (MultiaddrProtocols.FixedSize(component.Protocol) < 0)
                output.Write(varint[..UVarint.Write((ulong)component.Value.Length, varint)]);
            output.Write(component.Value);
        }
        return output.ToArray();
    }

    public static Multiaddr FromTcp(IPEndPoint endpoint, PeerId? peer = null)
    {
        var components = new List<MultiaddrComponent> { MultiaddrComponent.Ip(endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address), MultiaddrComponent.Tcp(endpoint.Port) };
        if (peer is not null) components.Add(MultiaddrComponent.P2p(peer));
        return new Multiaddr(components);
    }

    /// <summary>The trailing /p2p/ component's PeerId, if any.</summary>
    public PeerId? PeerId => _components[^1].Protocol == MultiaddrProtocol.P2p ? _components[^1].AsPeerId() : null;

    /// <summary>This address without a trailing /p2p/ component (the part a transport dials).</summary>
    public Multiaddr WithoutPeerId() => PeerId is null ? this : new Multiaddr(_components[..^1]);

    public Multiaddr WithPeerId(PeerId peer) => new(WithoutPeerId()._components.Append(MultiaddrComponent.P2p(peer)));

    public override string ToString() => string.Concat(_components.Select(c => c.ToString()));
    public bool Equals(Multiaddr? other) => other is not null && _components.SequenceEqual(other._components);
    public override bool Equals(object? obj) => Equals(obj as Multiaddr);
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
