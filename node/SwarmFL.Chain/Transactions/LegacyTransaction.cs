using System.Numerics;
using SwarmFL.Chain.Rlp;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Transactions;

/// <summary>
/// A legacy (type 0) transaction with EIP-155 replay protection, for chains without EIP-1559 fees. Its signing hash is
/// keccak256(rlp([nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0])), and the signed form is
/// rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s]) with v = chainId · 2 + 35 + y parity.
/// </summary>
public sealed record LegacyTransaction : EthereumTransaction
{
    public required BigInteger GasPrice { get; init; }

    public override byte[] SigningHash()
    {
        var fields = CallFields();
        fields.Add(RlpEncoder.EncodeUInt(ChainId));
        fields.Add(RlpEncoder.EncodeUInt(0UL));
        fields.Add(RlpEncoder.EncodeUInt(0UL));
        return Keccak256.Hash(RlpEncoder.EncodeList(fields));
    }

    public override SignedTransaction Sign(NodeKey key)
    {
        if (ChainId.Sign <= 0) throw new InvalidOperationException("an EIP-155 transaction needs a positive chain id");
        var signature = key.SignHash(SigningHash());
        if (signature.RecoveryId > 1)
            throw new InvalidOperationException("EIP-155 signatures need a y parity of 0 or 1");
        var fields = CallFields();
        fields.Add(RlpEncoder.EncodeUInt(ChainId * 2 + 35 + signature.RecoveryId));
        fields.Add(RlpEncoder.EncodeUInt(signature.R));
        fields.Add(RlpEncoder.EncodeUInt(signature.S));
        return new SignedTransaction(this, signature, RlpEncoder.EncodeList(fields), key.Address);
    }

    private List<byte[]> CallFields() =>
    [
        RlpEncoder.EncodeUInt(Nonce),
        RlpEncoder.EncodeUInt(GasPrice),
        RlpEncoder.EncodeUInt(GasLimit),
        To is { } to ? RlpEncoder.EncodeBytes(to.Bytes) : RlpEncoder.EncodeBytes([]),
        RlpEncoder.EncodeUInt(Value),
        RlpEncoder.EncodeBytes(Data),
    ];

    /// <summary>Parses a signed raw EIP-155 transaction and recovers its sender; pre-EIP-155 (v = 27/28) is refused.</summary>
    public static SignedTransaction Decode(byte[] raw)
    {
        if (raw.Length == 0 || raw[0] < 0xc0) throw new FormatException("not a legacy transaction: it must be an RLP list");
        var fields = RlpDecoder.Decode(raw).AsList().Items;
        if (fields.Count != 9) throw new FormatException($"a legacy transaction has 9 fields, got {fields.Count}");
        var toBytes = fields[3].AsString().Bytes.Span;
        if (toBytes.Length is not (0 or 20)) throw new FormatException($"'to' must be 0 or 20 bytes, got {toBytes.Length}");
        var v = fields[6].AsUInt();
        if (v < 37) throw new FormatException($"v = {v} is not an EIP-155 signature (chain id · 2 + 35 + parity)");
        var transaction = new LegacyTransaction
        {
            ChainId = (v - 35) / 2,
            Nonce = fields[0].AsUInt64(),
            GasPrice = fields[1].AsUInt(),
            GasLimit = fields[2].AsUInt64(),
            To = toBytes.Length == 0 ? null : EthereumAddress.FromBytes(toBytes),
            Value = fields[4].AsUInt(),
            Data = fields[5].AsString().Bytes.ToArray(),
        };
        var signature = new EcdsaSignature(fields[7].AsUInt(), fields[8].AsUInt(), (byte)((v - 35) % 2));
        var publicKey = Secp256k1.Recover(transaction.SigningHash(), signature);
        return new SignedTransaction(transaction, signature, raw, EthereumAddress.FromPublicKey(publicKey));
    }
}
