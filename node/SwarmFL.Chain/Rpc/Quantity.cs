using System.Globalization;
using System.Numerics;
using System.Text.Json;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Rpc;

/// <summary>JSON-RPC "quantities": 0x-prefixed hex without leading zeros ("0x0" for zero).</summary>
public static class Quantity
{
    public static string ToHex(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "quantities are unsigned");
        return value.IsZero ? "0x0" : "0x" + value.ToString("x").TrimStart('0');
    }

    public static string ToHex(ulong value) => "0x" + value.ToString("x");

    public static BigInteger Parse(string? text)
    {
        if (text is null || !text.StartsWith("0x") || text.Length is < 3 or > 66 || !text.AsSpan(2).ContainsOnlyHex())
            throw new FormatException($"'{text}' is not a hex quantity");
        return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier);
    }

    public static BigInteger Parse(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? Parse(element.GetString()) : throw new FormatException($"expected a hex quantity, got {element}");

    public static ulong ParseUInt64(JsonElement element)
    {
        var value = Parse(element);
        return value <= ulong.MaxValue ? (ulong)value : throw new FormatException($"quantity {value} exceeds 64 bits");
    }

    public static byte[] ParseData(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { } s && s.StartsWith("0x") && Hex.TryDecode(s, out var bytes)
            ? bytes
            : throw new FormatException($"expected 0x-prefixed hex data, got {element}");
}

internal static class HexSpanExtensions
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> span)
    {
        foreach (var c in span) if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }
}
