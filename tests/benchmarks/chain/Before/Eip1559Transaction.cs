// The hand-written code SwarmFL.Chain used before Nethereum (commit 0195c84), kept verbatim as the "before" of this benchmark only.
using System.Numerics;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;

namespace ChainBench.Before;

/// <summary>
/// An EIP-1559 (type 2) transaction. Its signing hash is
/// keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList])),
/// and the signed form appends [yParity, r, s] to that list. <see cref="To"/> null creates a contract.
/// </summary>
public sealed record BeforeEip1559Transaction : EthereumTransaction
{
    public const byte TypeByte = 0x02;

    public required BigInteger MaxPriorityFeePerGas { get; init; }
    public required BigInteger MaxFeePerGas { get; init; }
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public override byte[] SigningHash() => Keccak256.Hash([TypeByte, .. RlpEncoder.EncodeList(UnsignedFields())]);

    public override SignedTransaction Sign(NodeKey key)
    {
        var signature = key.SignHash(SigningHash());
        if (signature.RecoveryId > 1)
            throw new InvalidOperationException("EIP-1559 signatures need a y parity of 0 or 1");
        var fields = UnsignedFields();
        fields.Add(RlpEncoder.EncodeUInt((ulong)signature.RecoveryId));
        fields.Add(RlpEncoder.EncodeUInt(signature.R));
        fields.Add(RlpEncoder.EncodeUInt(signature.S));
        byte[] raw = [TypeByte, .. RlpEncoder.EncodeList(fields)];
        return new SignedTransaction(this, signature, raw, key.Address);
    }

    private List<byte[]> UnsignedFields() =>
    [
        RlpEncoder.EncodeUInt(ChainId),
        RlpEncoder.EncodeUInt(Nonce),
        RlpEncoder.EncodeUInt(MaxPriorityFeePerGas),
        RlpEncoder.EncodeUInt(MaxFeePerGas),
        RlpEncoder.EncodeUInt(GasLimit),
        To is { } to ? RlpEncoder.EncodeBytes(to.Bytes) : RlpEncoder.EncodeBytes([]),
        RlpEncoder.EncodeUInt(Value),
        RlpEncoder.EncodeBytes(Data),
        RlpEncoder.EncodeList(AccessList.Select(entry => RlpEncoder.EncodeList(
            RlpEncoder.EncodeBytes(entry.Address.Bytes),
            RlpEncoder.EncodeList(entry.StorageKeys.Select(k => RlpEncoder.EncodeBytes(k)).ToArray()))).ToArray()),
    ];

    /// <summary>Parses a signed raw type-2 transaction and recovers its sender.</summary>
    public static SignedTransaction Decode(byte[] raw)
    {
        if (raw.Length == 0 || raw[0] != TypeByte) throw new FormatException("not an EIP-1559 transaction: the first byte must be 0x02");
        var fields = RlpDecoder.Decode(raw.AsMemory(1)).AsList().Items;
        if (fields.Count != 12) throw new FormatException($"an EIP-1559 transaction has 12 fields, got {fields.Count}");
        var toBytes = fields[5].AsString().Bytes.Span;
        if (toBytes.Length is not (0 or 20)) throw new FormatException($"'to' must be 0 or 20 bytes, got {toBytes.Length}");
        var transaction = new BeforeEip1559Transaction
        {
            ChainId = fields[0].AsUInt(),
            Nonce = fields[1].AsUInt64(),
            MaxPriorityFeePerGas = fields[2].AsUInt(),
            MaxFeePerGas = fields[3].AsUInt(),
            GasLimit = fields[4].AsUInt64(),
            To = toBytes.Length == 0 ? null : EthereumAddress.FromBytes(toBytes),
            Value = fields[6].AsUInt(),
            Data = fields[7].AsString().Bytes.ToArray(),
            AccessList = fields[8].AsList().Items.Select(item =>
            {
                var pair = item.AsList().Items;
                if (pair.Count != 2) throw new FormatException("an access list entry has 2 fields");
                return new AccessListEntry(EthereumAddress.FromBytes(pair[0].AsString().Bytes.Span),
                    pair[1].AsList().Items.Select(k => k.AsString().Bytes.ToArray()).ToArray());
            }).ToArray(),
        };
        var yParity = fields[9].AsUInt(1);
        if (yParity > 1) throw new FormatException($"y parity must be 0 or 1, got {yParity}");
        var signature = new EcdsaSignature(fields[10].AsUInt(), fields[11].AsUInt(), (byte)yParity);
        var publicKey = Secp256k1.Recover(transaction.SigningHash(), signature);
        return new SignedTransaction(transaction, signature, raw, EthereumAddress.FromPublicKey(publicKey));
    }
}

