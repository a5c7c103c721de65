namespace SwarmFL.Crypto;

/// <summary>The key types of libp2p's crypto.proto.</summary>
public enum Libp2pKeyType
{
    Rsa = 0,
    Ed25519 = 1,
    Secp256k1 = 2,
    Ecdsa = 3,
}

/// <summary>
/// libp2p's <c>PublicKey { required KeyType Type = 1; required bytes Data = 2; }</c>. The peer-id spec asks for a deterministic
/// encoding (fields in order, minimal varints), so it is written by hand rather than by a generic protobuf serializer.
/// </summary>
public sealed record Libp2pPublicKey(Libp2pKeyType Type, byte[] Data)
{
    public byte[] ToProtobuf()
    {
        var length = Multiformats.UVarint.Encode((ulong)Data.Length);
        var output = new byte[2 + 1 + length.Length + Data.Length];
        output[0] = 0x08; // field 1, varint
        output[1] = (byte)Type;
        output[2] = 0x12; // field 2, length-delimited
        length.CopyTo(output, 3);
        Data.CopyTo(output, 3 + length.Length);
        return output;
    }

    public static Libp2pPublicKey FromProtobuf(ReadOnlySpan<byte> bytes)
    {
        Libp2pKeyType? type = null;
        byte[]? data = null;
        while (!bytes.IsEmpty)
        {
            var tag = Multiformats.UVarint.Read(bytes, out var n);
            bytes = bytes[n..];
            switch (tag)
            {
                case 0x08:
                    var value = Multiformats.UVarint.Read(bytes, out n);
                    bytes = bytes[n..];
                    if (value > 3) throw new FormatException($"unknown libp2p key type {value}");
                    type = (Libp2pKeyType)value;
                    break;
                case 0x12:
                    var length = Multiformats.UVarint.Read(bytes, out n);
                    bytes = bytes[n..];
                    if (length > (ulong)bytes.Length) throw new FormatException("public key data is truncated");
                    data = bytes[..(int)length].ToArray();
                    bytes = bytes[(int)length..];
                    break;
                default:
                    throw new FormatException($"unexpected field tag {tag} in a libp2p PublicKey");
            }
        }
        if (type is null || data is null) throw new FormatException("a libp2p PublicKey needs both Type and Data");
        if (type == Libp2pKeyType.Secp256k1 && !Secp256k1.IsValidPublicKey(data))
            throw new FormatException("secp256k1 public key is not a valid curve point");
        if (type == Libp2pKeyType.Ed25519 && data.Length != 32)
            throw new FormatException($"an Ed25519 public key has 32 bytes, got {data.Length}");
        return new Libp2pPublicKey(type.Value, data);
    }

    public bool Equals(Libp2pPublicKey? other) => other is not null && Type == other.Type && Data.AsSpan().SequenceEqual(other.Data);
    public override int GetHashCode() => HashCode.Combine(Type, Data.Length);
}
