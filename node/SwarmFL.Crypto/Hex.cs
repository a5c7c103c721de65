namespace SwarmFL.Crypto;

/// <summary>Hex with or without the 0x prefix, as Ethereum tooling writes it.</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true) =>
        (prefix ? "0x" : "") + Convert.ToHexStringLower(bytes);

    public static byte[] Decode(string text)
    {
        if (!TryDecode(text, out var bytes))
            throw new FormatException($"not a hex string: '{Truncate(text)}'");
        return bytes;
    }

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null) return false;
        var span = text.AsSpan().Trim();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) span = span[2..];
        if (span.Length % 2 != 0) return false;
        foreach (var c in span)
            if (!char.IsAsciiHexDigit(c)) return false;
        bytes = Convert.FromHexString(span);
        return true;
    }

    private static string Truncate(string s) => s.Length <= 24 ? s : s[..24] + "…";
}
