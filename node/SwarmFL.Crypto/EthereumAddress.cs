namespace SwarmFL.Crypto;

/// <summary>A 20-byte Ethereum account address; printed with the EIP-55 mixed-case checksum.</summary>
public readonly struct EthereumAddress : IEquatable<EthereumAddress>
{
    public const int Size = 20;
    private readonly byte[]? _bytes;

    private EthereumAddress(byte[] bytes) => _bytes = bytes;

    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Size];

    public static EthereumAddress Zero => new(new byte[Size]);

    public static EthereumAddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new FormatException($"an address has 20 bytes, got {bytes.Length}");
        return new EthereumAddress(bytes.ToArray());
    }

    /// <summary>The last 20 bytes of Keccak-256 of the 64-byte x ‖ y public key.</summary>
    public static EthereumAddress FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        var uncompressed = Secp256k1.NormalizePublicKey(publicKey, compressed: false);
        var hash = Keccak256.Hash(uncompressed.AsSpan(1));
        return new EthereumAddress(hash[12..]);
    }

    /// <summary>Parses 0x + 40 hex digits. Mixed-case input must carry a valid EIP-55 checksum.</summary>
    public static EthereumAddress Parse(string text)
    {
        if (!TryParse(text, out var address, out var error)) throw new FormatException(error);
        return address;
    }

    public static bool TryParse(string? text, out EthereumAddress address, out string error)
    {
        address = default;
        error = "";
        var body = text?.Trim() ?? "";
        if (!body.StartsWith("0x", StringComparison.Ordinal) || body.Length != 42 || !Hex.TryDecode(body, out var bytes))
        {
            error = $"'{text}' is not an address: expected 0x followed by 40 hex digits";
            return false;
        }
        var candidate = new EthereumAddress(bytes);
        var digits = body[2..];
        var mixedCase = digits.Any(char.IsAsciiLetterUpper) && digits.Any(char.IsAsciiLetterLower);
        if (mixedCase && candidate.ToString() != body)
        {
            error = $"'{text}' fails its EIP-55 checksum; expected {candidate}";
            return false;
        }
        address = candidate;
        return true;
    }

    /// <summary>EIP-55: a hex letter is upper case where the matching nibble of Keccak-256 of the lower-case hex is 8 or more.</summary>
    public override string ToString()
    {
        var lower = Convert.ToHexStringLower(Bytes);
        var hash = Keccak256.Hash(lower);
        var chars = new char[42];
        chars[0] = '0';
        chars[1] = 'x';
        for (var i = 0; i < 40; i++)
        {
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            chars[i + 2] = nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i];
        }
        return new string(chars);
    }

    public bool Equals(EthereumAddress other) => Bytes.SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => obj is EthereumAddress other && Equals(other);
    public override int GetHashCode() => BitConverter.ToInt32(Bytes[..4]);
    public static bool operator ==(EthereumAddress a, EthereumAddress b) => a.Equals(b);
    public static bool operator !=(EthereumAddress a, EthereumAddress b) => !a.Equals(b);
}
