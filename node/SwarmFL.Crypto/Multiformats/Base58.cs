using System.Numerics;
using System.Text;

namespace SwarmFL.Crypto.Multiformats;

/// <summary>Base58btc (the Bitcoin alphabet), how PeerIds are printed.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static readonly sbyte[] Index = BuildIndex();

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0) zeros++;
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var builder = new StringBuilder();
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out var remainder);
            builder.Insert(0, Alphabet[(int)remainder]);
        }
        builder.Insert(0, new string('1', zeros));
        return builder.ToString();
    }

    public static byte[] Decode(string text)
    {
        if (!TryDecode(text, out var bytes)) throw new FormatException($"'{text}' is not base58btc");
        return bytes;
    }

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Length > 512) return false;
        BigInteger value = 0;
        foreach (var c in text)
        {
            var digit = c < 128 ? Index[c] : -1;
            if (digit < 0) return false;
            value = value * 58 + digit;
        }
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1') zeros++;
        var body = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes = new byte[zeros + body.Length];
        body.CopyTo(bytes, zeros);
        return true;
    }

    private static sbyte[] BuildIndex()
    {
        var index = new sbyte[128];
        Array.Fill(index, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++) index[Alphabet[i]] = (sbyte)i;
        return index;
    }
}
