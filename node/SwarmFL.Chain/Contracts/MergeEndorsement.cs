using System.Buffers.Binary;
using System.Numerics;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Contracts;

/// <summary>
/// A committer's signed statement that it recomputed a leader's merge to the same model: what
/// <c>SwarmCoordinator.endorseMerge</c> takes, one per committer of the cluster other than the leader
/// (docs/contracts-interface.md, "Endorsements"). The digest is EIP-191 version 0 data for the contract,
/// keccak256(0x19 ‖ 0x00 ‖ contract ‖ abi.encode(keccak256("SwarmFL.endorseMerge"), chainid, round, cluster, leader)),
/// and the signature is r ‖ s ‖ v with v = 27 or 28, as ecrecover reads it.
/// </summary>
public static class MergeEndorsement
{
    public const int SignatureSize = 65;
    private static readonly byte[] Tag = Keccak256.Hash("SwarmFL.endorseMerge"u8);

    public static byte[] Digest(BigInteger chainId, EthereumAddress contract, ulong round, uint cluster, EthereumAddress leader)
    {
        Span<byte> message = stackalloc byte[2 + EthereumAddress.Size + 5 * 32];
        message.Clear();
        message[0] = 0x19;
        contract.Bytes.CopyTo(message[2..]);
        var data = message[(2 + EthereumAddress.Size)..];
        Tag.CopyTo(data);
        if (!chainId.TryWriteBytes(data.Slice(32, 32)[^chainId.GetByteCount(isUnsigned: true)..], out _, isUnsigned: true, isBigEndian: true))
            throw new ArgumentOutOfRangeException(nameof(chainId), chainId, "a chain id fits in 32 bytes");
        BinaryPrimitives.WriteUInt64BigEndian(data.Slice(64 + 24, 8), round);
        BinaryPrimitives.WriteUInt32BigEndian(data.Slice(96 + 28, 4), cluster);
        leader.Bytes.CopyTo(data[(128 + 12)..]);
        return Keccak256.Hash(message);
    }

    public static byte[] Sign(NodeKey key, ReadOnlySpan<byte> digest)
    {
        var signature = key.SignHash(digest).ToCompact65();
        signature[64] += 27;
        return signature;
    }

    /// <summary>Who signed <paramref name="signature"/> over <paramref name="digest"/>; null for anything that is not a
    /// recoverable 65-byte signature with v = 27 or 28 (what ecrecover would turn into the zero address).</summary>
    public static EthereumAddress? SignerOf(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize || signature[64] is not (27 or 28)) return null;
        try
        {
            return EthereumAddress.FromPublicKey(Secp256k1.Recover(digest, EcdsaSignature.FromCompact65(signature)));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
