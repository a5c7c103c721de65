using System.Numerics;

namespace SwarmFL.Crypto;

/// <summary>
/// A secp256k1 ECDSA signature with its recovery id. Ethereum writes it as r ‖ s ‖ v (65 bytes);
/// libp2p writes r and s as ASN.1 DER.
/// </summary>
public readonly record struct EcdsaSignature(BigInteger R, BigInteger S, byte RecoveryId)
{
    public byte[] ToCompact65()
    {
        var bytes = new byte[65];
        WriteBigEndian32(R, bytes.AsSpan(0, 32));
        WriteBigEndian32(S, bytes.AsSpan(32, 32));
        bytes[64] = RecoveryId;
        return bytes;
    }

    public static EcdsaSignature FromCompact65(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 65) throw new FormatException($"a compact signature has 65 bytes, got {bytes.Length}");
        var v = bytes[64];
        if (v >= 27) v -= 27; // pre-EIP-155 encoding
        if (v > 3) throw new FormatException($"recovery id {bytes[64]} is out of range");
        return new EcdsaSignature(ReadBigEndian(bytes[..32]), ReadBigEndian(bytes[32..64]), v);
    }

    /// <summary>ASN.1 DER SEQUENCE { INTEGER r, INTEGER s }, the form libp2p uses for secp256k1 signatures.</summary>
    public byte[] ToDer()
    {
        var r = DerInteger(R);
        var s = DerInteger(S);
        var body = r.Length + s.Length;
        var output = new byte[2 + body];
        output[0] = 0x30;
        output[1] = (byte)body;
        r.CopyTo(output, 2);
        s.CopyTo(output, 2 + r.Length);
        return output;
    }

    public static EcdsaSignature FromDer(ReadOnlySpan<byte> der)
    {
        if (der.Length < 8 || der.Length > 72 || der[0] != 0x30 || der[1] != der.Length - 2)
            throw new FormatException("malformed DER signature: bad SEQUENCE header");
        var rest = der[2..];
        var r = ReadDerInteger(ref rest);
        var s = ReadDerInteger(ref rest);
        if (!rest.IsEmpty) throw new FormatException("malformed DER signature: trailing bytes");
        return new EcdsaSignature(r, s, 0);
    }

    private static byte[] DerInteger(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: false, isBigEndian: true); // keeps a leading 0x00 when the top bit is set
        var output = new byte[2 + bytes.Length];
        output[0] = 0x02;
        output[1] = (byte)bytes.Length;
        bytes.CopyTo(output, 2);
        return output;
    }

    private static BigInteger ReadDerInteger(ref ReadOnlySpan<byte> input)
    {
        if (input.Length < 3 || input[0] != 0x02) throw new FormatException("malformed DER signature: expected INTEGER");
        int length = input[1];
        if (length == 0 || length > 33 || input.Length < 2 + length) throw new FormatException("malformed DER signature: bad INTEGER length");
        var content = input.Slice(2, length);
        if ((content[0] & 0x80) != 0) throw new FormatException("malformed DER signature: negative INTEGER");
        var value = new BigInteger(content, isUnsigned: true, isBigEndian: true);
        input = input[(2 + length)..];
        return value;
    }

    internal static void WriteBigEndian32(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        var count = value.GetByteCount(isUnsigned: true);
        if (count > 32) throw new ArgumentOutOfRangeException(nameof(value), "does not fit 32 bytes");
        value.TryWriteBytes(destination[(32 - count)..], out _, isUnsigned: true, isBigEndian: true);
    }

    internal static BigInteger ReadBigEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);
}
