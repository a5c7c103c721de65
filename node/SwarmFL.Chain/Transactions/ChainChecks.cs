using SwarmFL.Chain.Devnet;
using System.Numerics;
using Serilog;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Transactions;

/// <summary>An RPC endpoint serves a different chain than the one configured.</summary>
public sealed class WrongChainException(Uri endpoint, BigInteger expected, BigInteger actual)
    : Exception($"{endpoint.ToString().TrimEnd('/')} serves chain id {actual}, expected {expected}; refusing to continue on the wrong chain")
{
    public BigInteger Expected { get; } = expected;
    public BigInteger Actual { get; } = actual;
}

/// <summary>There is no contract at the given address on this chain.</summary>
public sealed class NoContractCodeException(EthereumAddress address, Uri endpoint)
    : Exception($"no contract code at {address} on {endpoint.ToString().TrimEnd('/')}: wrong address, wrong chain, or the deployment failed")
{
    public EthereumAddress Address { get; } = address;
}

/// <summary>An account has no funds to pay for gas on a chain where it cannot fund itself.</summary>
public sealed class InsufficientFundsException(EthereumAddress address, BigInteger chainId)
    : Exception($"account {address} has no funds on chain {chainId}: send ether to {address} to pay for gas, then start again (only the devnet, chain id {DevnetChain.ChainId}, funds accounts itself)")
{
    public EthereumAddress Address { get; } = address;
}

/// <summary>The checks a node runs before it talks to a swarm: right chain, a contract where it expects one, gas money.</summary>
public static class ChainChecks
{
    /// <summary>Hardhat's and Anvil's default chain id: a devnet where accounts may mint themselves ether.</summary>
    public const long DevnetChainId = DevnetChain.ChainId;

    /// <summary>What a devnet account grants itself: 1000 ether.</summary>
    public static readonly BigInteger DevnetFunding = DevnetChain.DefaultFunding;

    public static async Task<BigInteger> RequireChainIdAsync(EthClient eth, BigInteger? expected, CancellationToken ct = default)
    {
        var actual = await eth.ChainIdAsync(ct);
        if (expected is { } wanted && wanted != actual) throw new WrongChainException(eth.Endpoint, wanted, actual);
        return actual;
    }

    public static async Task RequireCodeAsync(EthClient eth, EthereumAddress contract, CancellationToken ct = default)
    {
        var code = await eth.GetCodeAsync(contract, ct: ct);
        if (code.Length == 0) throw new NoContractCodeException(contract, eth.Endpoint);
    }

    /// <summary>
    /// On the devnet chain id an empty account funds itself with hardhat_setBalance; elsewhere an empty account is an
    /// error naming the address that needs funds. Returns the balance afterwards.
    /// </summary>
    public static async Task<BigInteger> EnsureFundedAsync(EthClient eth, EthereumAddress account, BigInteger chainId,
        ILogger? logger = null, CancellationToken ct = default)
    {
        var balance = await eth.GetBalanceAsync(account, ct: ct);
        if (!balance.IsZero) return balance;
        if (!DevnetChain.IsDevnet(chainId)) throw new InsufficientFundsException(account, chainId);
        (logger ?? Log.Logger).Information("Funding {Account} on devnet chain {ChainId} through hardhat_setBalance", account.ToString(), chainId);
        await (await DevnetChain.ConnectAsync(eth, "hardhat_setBalance", ct)).SetBalanceAsync(account, DevnetFunding, ct);
        return await eth.GetBalanceAsync(account, ct: ct);
    }
}
