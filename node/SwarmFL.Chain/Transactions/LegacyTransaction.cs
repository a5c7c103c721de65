using System.Numerics;
using Nethereum.Model;
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

    public override byte[] SigningHash() => ToNethereum().RawHash;

    public override SignedTransaction Sign(NodeKey key)
    {
        if (ChainId.Sign <= 0) throw new InvalidOperationException("an EIP-155 transaction needs a positive chain id");
        var signature = key.SignHash(SigningHash());
        if (signature.RecoveryId > 1)
            throw new InvalidOperationException("EIP-155 signatures need a y parity of 0 or 1");
        return new SignedTransaction(this, signature, Encode(this, signature), key.Address);
    }

    /// <summary>Nethereum.Model's EIP-155 transaction with our fields; it does the RLP and the signing hash.</summary>
    private LegacyTransactionChainId ToNethereum() => new(
        NethereumFields.Integer(Nonce), NethereumFields.Integer(GasPrice), NethereumFields.Integer(GasLimit),
        To is { } to ? to.Bytes.ToArray() : [], NethereumFields.Integer(Value), Data, NethereumFields.Integer(ChainId));

    private static byte[] Encode(LegacyTransaction transaction, EcdsaSignature signature)
    {
        var model = transaction.ToNethereum();
        model.SetSignature(NethereumFields.Signature(signature, transaction.ChainId * 2 + 35 + signature.RecoveryId));
        return model.GetRLPEncoded();
    }

    /// <summary>Parses a signed raw EIP-155 transaction in canonical form and recovers its sender; pre-EIP-155 (v = 27/28) is refused.</summary>
    public static SignedTransaction Decode(byte[] raw)
    {
        if (raw.Length == 0 || raw[0] < 0xc0) throw new FormatException("not a legacy transaction: it must be an RLP list");
        var fields = NethereumFields.Fields(raw);
        if (fields.Count != 9) throw new FormatException($"a legacy transaction has 9 fields, got {fields.Count}");
        // Checked before Nethereum sees it: its decoder has its own opinion of a v without a chain id.
        var v = NethereumFields.ReadInteger(fields[6].RLPData, "v");
        if (v < 37) throw new FormatException($"v = {v} is not an EIP-155 signature (chain id · 2 + 35 + parity)");
        var (transaction, signature) = NethereumFields.DecodeCanonical(raw, "legacy transaction", bytes =>
        {
            var model = new LegacyTransactionChainId(bytes);
            var decoded = new LegacyTransaction
            {
                ChainId = (v - 35) / 2,
                Nonce = (ulong)NethereumFields.ReadInteger(model.Nonce, "nonce", 8),
                GasPrice = NethereumFields.ReadInteger(model.GasPrice, "gasPrice"),
                GasLimit = (ulong)NethereumFields.ReadInteger(model.GasLimit, "gasLimit", 8),
                To = NethereumFields.ReadAddress(model.ReceiveAddress),
                Value = NethereumFields.ReadInteger(model.Value, "value"),
                Data = model.Data ?? [],
            };
            var sig = new EcdsaSignature(NethereumFields.ReadInteger(model.Signature!.R, "r"), NethereumFields.ReadInteger(model.Signature.S, "s"),
                (byte)((v - 35) % 2));
            return (decoded, sig);
        }, pair => Encode(pair.decoded, pair.sig));
        var publicKey = Secp256k1.Recover(transaction.SigningHash(), signature);
        return new SignedTransaction(transaction, signature, raw, EthereumAddress.FromPublicKey(publicKey));
    }
}
