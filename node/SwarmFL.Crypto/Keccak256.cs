using Org.BouncyCastle.Crypto.Digests;

namespace SwarmFL.Crypto;

/// <summary>Keccak-256 as Ethereum uses it (the original Keccak padding, not NIST SHA3-256).</summary>
public static class Keccak256
{
    public const int Size = 32;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[Size];
        Hash(data, output);
        return output;
    }

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        digest.DoFinal(output);
    }

    public static byte[] Hash(string utf8) => Hash(System.Text.Encoding.UTF8.GetBytes(utf8));
}
