using System.Numerics;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Transactions;

/// <summary>
/// What every transaction type has: the chain it is for, the sender's nonce, the gas it may use, the call. The fee
/// fields differ: <see cref="Eip1559Transaction"/> (type 2) where the chain reports a base fee, otherwise
/// <see cref="LegacyTransaction"/> (type 0, EIP-155). <see cref="To"/> null creates a contract.
/// </summary>
public abstract record EthereumTransaction
{
    public required BigInteger ChainId { get; init; }
    public required ulong Nonce { get; init; }
    public required ulong GasLimit { get; init; }
    public EthereumAddress? To { get; init; }
    public BigInteger Value { get; init; }
    public byte[] Data { get; init; } = [];

    /// <summary>The hash the sender signs.</summary>
    public abstract byte[] SigningHash();

    public abstract SignedTransaction Sign(NodeKey key);
}
