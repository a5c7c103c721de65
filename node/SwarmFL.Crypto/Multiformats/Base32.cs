namespace SwarmFL.Crypto.Multiformats;

/// <summary>RFC 4648 base32, lower case, no padding: the multibase 'b' encoding CIDv1 strings use.</summary>
public static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, j = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[j++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) chars[j++] = Alphabet[(buffer << (5 - bits)) & 31];
        return new string(chars, 0, j);
    }

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        var output = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, j = 0;
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            var value = Alphabet.IndexOf(c);
            if (value < 0) return false;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                output[j++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
            buffer &= (1 << bits) - 1;
        }
        if ((buffer & ((1 << bits) - 1)) != 0) return false; // non-zero padding bits: not a canonical encoding
        bytes = output;
        return true;
    }
}
