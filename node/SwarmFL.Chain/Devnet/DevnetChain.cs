using System.Numerics;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Devnet;

/// <summary>A devnet call was asked of a chain that is not the devnet.</summary>
public sealed class NotADevnetException(Uri endpoint, BigInteger chainId, string method)
    : Exception($"{method} is a devnet convenience, and {endpoint.ToString().TrimEnd('/')} serves chain id {chainId}, not the devnet's {DevnetChain.ChainId}; " +
                "on a real chain fund accounts by sending them ether and let time pass on its own");

/// <summary>
/// The one place for a local devnet's conveniences (Hardhat's and anvil's shared hardhat_/evm_ methods): minting ether,
/// moving time, mining, snapshots. It is handed out only for chain id 31337, so nothing can call these on another
/// chain, where they would fail at best and mean something else at worst.
/// </summary>
public sealed class DevnetChain
{
    /// <summary>Hardhat's and anvil's default chain id.</summary>
    public const long ChainId = 31337;

    /// <summary>What a devnet account grants itself: 1000 ether.</summary>
    public static readonly BigInteger DefaultFunding = BigInteger.Pow(10, 21);

    private readonly JsonRpcClient _rpc;

    private DevnetChain(JsonRpcClient rpc) => _rpc = rpc;

    /// <summary>The devnet behind <paramref name="eth"/>, or null when it serves another chain id.</summary>
    public static async Task<DevnetChain?> TryConnectAsync(EthClient eth, CancellationToken ct = default) =>
        IsDevnet(await eth.ChainIdAsync(ct)) ? new DevnetChain(eth.Rpc) : null;

    /// <summary>The devnet behind <paramref name="eth"/>; throws <see cref="NotADevnetException"/> on any other chain.</summary>
    public static async Task<DevnetChain> ConnectAsync(EthClient eth, string method, CancellationToken ct = default)
    {
        var chainId = await eth.ChainIdAsync(ct);
        return IsDevnet(chainId) ? new DevnetChain(eth.Rpc) : throw new NotADevnetException(eth.Endpoint, chainId, method);
    }

    public static bool IsDevnet(BigInteger chainId) => chainId == ChainId;

    public Task SetBalanceAsync(EthereumAddress address, BigInteger wei, CancellationToken ct = default) =>
        _rpc.CallAsync("hardhat_setBalance", [address.ToString(), Quantity.ToHex(wei)], ct);

    public Task IncreaseTimeAsync(ulong seconds, CancellationToken ct = default) => _rpc.CallAsync("evm_increaseTime", [seconds], ct);

    public Task MineAsync(CancellationToken ct = default) => _rpc.CallAsync("evm_mine", [], ct);

    /// <summary>evm_snapshot: an id that <see cref="RevertAsync"/> rolls the chain back to (a reorg, as far as a node can tell).</summary>
    public async Task<string> SnapshotAsync(CancellationToken ct = default) =>
        (await _rpc.CallAsync("evm_snapshot", [], ct)).GetString() ?? throw new ChainRpcException("evm_snapshot", _rpc.Endpoint, "no snapshot id");

    public async Task<bool> RevertAsync(string snapshot, CancellationToken ct = default) =>
        (await _rpc.CallAsync("evm_revert", [snapshot], ct)).GetBoolean();
}
