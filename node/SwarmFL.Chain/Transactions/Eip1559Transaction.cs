using System.Numerics;
using Nethereum.Model;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Transactions;

/// <summary>One entry of an EIP-2930 access list: an address and the storage slots the transaction will touch.</summary>
public sealed record AccessListEntry(EthereumAddress Address, IReadOnlyList<byte[]> StorageKeys);

/// <summary>
/// An EIP-1559 (type 2) transaction. Its signing hash is
/// keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList])),
/// and the signed form appends [yParity, r, s] to that list. <see cref="To"/> null creates a contract.
/// </summary>
public sealed record Eip1559Transaction : EthereumTransaction
{
    public const byte TypeByte = 0x02;

    public required BigInteger MaxPriorityFeePerGas { get; init; }
    public required BigInteger MaxFeePerGas { get; init; }
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public override byte[] SigningHash() => ToNethereum().RawHash;

    public override SignedTransaction Sign(NodeKey key)
    {
        var signature = key.SignHash(SigningHash());
        if (signature.RecoveryId > 1)
            throw new InvalidOperationException("EIP-1559 signatures need a y parity of 0 or 1");
        return new SignedTransaction(this, signature, Encode(this, signature), key.Address);
    }

    /// <summary>Nethereum.Model's type-2 transaction with our fields; it does the RLP and the signing hash.</summary>
    private Transaction1559 ToNethereum() => new(ChainId, Nonce, MaxPriorityFeePerGas, MaxFeePerGas, GasLimit,
        To?.ToString(), Value, Hex.Encode(Data),
        AccessList.Select(e => new AccessListItem(e.Address.ToString(), e.StorageKeys.ToList())).ToList());

    private static byte[] Encode(Eip1559Transaction transaction, EcdsaSignature signature)
    {
        var model = transaction.ToNethereum();
        model.SetSignature(NethereumFields.Signature(signature, signature.RecoveryId));
        return model.GetRLPEncoded();
    }

    /// <summary>Parses a signed raw type-2 transaction in canonical form and recovers its sender.</summary>
    public static SignedTransaction Decode(byte[] raw)
    {
        if (raw.Length == 0 || raw[0] != TypeByte) throw new FormatException("not an EIP-1559 transaction: the first byte must be 0x02");
        var fields = NethereumFields.Fields(raw[1..]).Count;
        if (fields != 12) throw new FormatException($"an EIP-1559 transaction has 12 fields, got {fields}");
        var (transaction, signature) = NethereumFields.DecodeCanonical(raw, "EIP-1559 transaction", bytes =>
        {
            var model = TransactionFactory.CreateTransaction(bytes) as Transaction1559
                        ?? throw new FormatException("not an EIP-1559 transaction");
            var decoded = FromNethereum(model);
            var yParity = NethereumFields.ReadInteger(model.Signature?.V, "yParity", 1);
            if (yParity > 1) throw new FormatException($"y parity must be 0 or 1, got {yParity}");
            var sig = new EcdsaSignature(NethereumFields.ReadInteger(model.Signature!.R, "r"), NethereumFields.ReadInteger(model.Signature.S, "s"), (byte)yParity);
            return (decoded, sig);
        }, pair => Encode(pair.decoded, pair.sig));
        var publicKey = Secp256k1.Recover(transaction.SigningHash(), signature);
        return new SignedTransaction(transaction, signature, raw, EthereumAddress.FromPublicKey(publicKey));
    }

    private static Eip1559Transaction FromNethereum(Transaction1559 model) => new()
    {
        ChainId = model.ChainId,
        Nonce = (ulong)Checked(model.Nonce, "nonce", 8),
        MaxPriorityFeePerGas = Checked(model.MaxPriorityFeePerGas, "maxPriorityFeePerGas"),
        MaxFeePerGas = Checked(model.MaxFeePerGas, "maxFeePerGas"),
        GasLimit = (ulong)Checked(model.GasLimit, "gasLimit", 8),
        To = NethereumFields.ReadAddress(model.ReceiverAddress),
        Value = Checked(model.Amount, "value"),
        Data = Hex.Decode(model.Data ?? "0x"),
        AccessList = (model.AccessList ?? []).Select(item => new AccessListEntry(
            NethereumFields.ReadAddress(item.Address) ?? throw new FormatException("an access list entry needs an address"),
            item.StorageKeys.Select(k => k.Length == 32 ? k : throw new FormatException($"a storage key has {k.Length} bytes, not 32")).ToArray())).ToArray(),
    };

    private static BigInteger Checked(BigInteger? value, string field, int maxBytes = 32)
    {
        var v = value ?? BigInteger.Zero;
        if (v.Sign < 0 || v.GetByteCount(isUnsigned: true) > maxBytes)
            throw new FormatException($"transaction field {field} does not fit {maxBytes} bytes");
        return v;
    }
}

/// <summary>A signed transaction: <see cref="Raw"/> is what eth_sendRawTransaction takes, <see cref="Hash"/> its id.</summary>
public sealed record SignedTransaction(EthereumTransaction Transaction, EcdsaSignature Signature, byte[] Raw, EthereumAddress From)
{
    public byte[] Hash { get; } = Keccak256.Hash(Raw);
    public string HashHex => Hex.Encode(Hash);
    public string RawHex => Hex.Encode(Raw);
}
