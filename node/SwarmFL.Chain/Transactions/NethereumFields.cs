using System.Numerics;
using Nethereum.Model;
using Nethereum.RLP;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Transactions;

/// <summary>
/// The conversions between our transaction records and Nethereum.Model's, and the checks Nethereum's decoder leaves
/// out. Integers go to Nethereum as minimal big-endian bytes (zero as the empty string), because its RLP encoder writes
/// byte arrays as they are: a leading zero handed over would be a non-canonical integer on the wire.
/// </summary>
internal static class NethereumFields
{
    public static byte[] Integer(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "transaction fields are unsigned");
        return value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    public static Signature Signature(EcdsaSignature signature, BigInteger v) => new(Integer(signature.R), Integer(signature.S), Integer(v));

    /// <summary>An unsigned integer field as Nethereum decoded it: at most <paramref name="maxBytes"/> bytes.</summary>
    public static BigInteger ReadInteger(byte[]? bytes, string field, int maxBytes = 32)
    {
        bytes ??= [];
        if (bytes.Length > maxBytes) throw new FormatException($"transaction field {field} has {bytes.Length} bytes, more than {maxBytes}");
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public static EthereumAddress? ReadAddress(byte[]? bytes) => bytes switch
    {
        null or { Length: 0 } => null,
        { Length: EthereumAddress.Size } => EthereumAddress.FromBytes(bytes),
        _ => throw new FormatException($"'to' must be 0 or 20 bytes, got {bytes.Length}"),
    };

    public static EthereumAddress? ReadAddress(string? hex) =>
        string.IsNullOrEmpty(hex) || hex == "0x" ? null : ReadAddress(Hex.Decode(hex));

    /// <summary>
    /// Runs Nethereum's decoder and accepts its result only when encoding it again gives back exactly the input, which
    /// refuses every non-canonical form (leading zeros, long forms for short lengths, trailing bytes) that Nethereum's
    /// RLP decoder lets through. Any exception of the decoder becomes a <see cref="FormatException"/>.
    /// </summary>
    public static T DecodeCanonical<T>(byte[] raw, string kind, Func<byte[], T> decode, Func<T, byte[]> encode)
    {
        T decoded;
        try
        {
            decoded = decode(raw);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not FormatException)
        {
            throw new FormatException($"not a valid {kind}: {e.Message}", e);
        }
        byte[] again;
        try
        {
            again = encode(decoded);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not FormatException)
        {
            throw new FormatException($"not a valid {kind}: {e.Message}", e);
        }
        if (!again.AsSpan().SequenceEqual(raw))
            throw new FormatException($"not a canonical {kind}: the RLP has non-canonical lengths or integers, extra fields or trailing bytes");
        return decoded;
    }

    /// <summary>The fields of a (type byte stripped) signed transaction, so their count is checked before Nethereum reads them by index.</summary>
    public static RLPCollection Fields(byte[] rlpList)
    {
        try
        {
            return RLP.Decode(rlpList) as RLPCollection ?? throw new FormatException("a transaction must be an RLP list");
        }
        catch (Exception e) when (e is not OutOfMemoryException and not FormatException)
        {
            throw new FormatException($"not valid RLP: {e.Message}", e);
        }
    }
}
