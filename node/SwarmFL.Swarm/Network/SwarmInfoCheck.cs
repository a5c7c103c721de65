using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Network.Messages;

namespace SwarmFL.Swarm.Network;

/// <summary>
/// What `join` was told by one peer, checked against the chain before it is trusted: the chain answers with the
/// announced chain id, a contract is deployed at the announced address and in the announced block (event reads start
/// there, so a later block would hide the swarm's early history and its members), the peer that answered is a
/// registered member of it with its own key, and (when the caller has one) the model spec hashes to what the contract
/// pins. A peer that lies about any of these is
/// caught here, before a registration transaction is sent anywhere.
/// </summary>
public static class SwarmInfoCheck
{
    public static async Task VerifyAsync(SwarmInfo info, PeerId answerer, string rpcUrl, byte[]? modelSpecHash, CancellationToken ct)
    {
        if (!EthereumAddress.TryParse(info.Contract, out var contractAddress, out var error))
            throw new InvalidOperationException($"{answerer} named a malformed contract address '{info.Contract}': {error}");
        var eth = new EthClient(new JsonRpcClient(rpcUrl));
        var chainId = await eth.ChainIdAsync(ct).ConfigureAwait(false);
        if (chainId != info.ChainId)
            throw new InvalidOperationException($"{answerer} says the swarm is on chain {info.ChainId}, but {PublicRpcUrl.Redact(rpcUrl)} is chain {chainId}");
        var contract = await SwarmCoordinator.AttachAsync(eth, contractAddress, ct: ct).ConfigureAwait(false);
        // 0: an older node that does not announce the block; the joiner then reads events from genesis, which is slow but
        // trusts nothing.
        if (info.DeploymentBlock > 0 && !await contract.WasDeployedInAsync(info.DeploymentBlock, ct).ConfigureAwait(false))
            throw new InvalidOperationException($"{answerer} says the swarm at {info.Contract} was deployed in block {info.DeploymentBlock}, but it was not created in that block; join through another member, or pass --deployment-block (swarm create printed it)");
        var config = await contract.ConfigAsync(ct).ConfigureAwait(false);
        if (modelSpecHash is not null && !config.ModelSpecHash.AsSpan().SequenceEqual(modelSpecHash))
            throw new InvalidOperationException($"{answerer} sent a model spec that is not the one the swarm at {info.Contract} pins (hash {Hex.Encode(config.ModelSpecHash)})");
        var account = answerer.TryGetEthereumAddress()
            ?? throw new InvalidOperationException($"{answerer} has no secp256k1 key, so it cannot be a member of the swarm");
        // memberInfo reverts for an account that never registered: ask the status first, so that case gets the clear error.
        if (await contract.MemberStatusAsync(account, ct).ConfigureAwait(false) is MemberStatus.None)
            throw new InvalidOperationException($"{answerer} is not a registered member of the swarm at {info.Contract}; join through a member");
        var member = await contract.MemberInfoAsync(account, ct).ConfigureAwait(false);
        if (!member.PeerIdBytes.AsSpan().SequenceEqual(answerer.Bytes))
            throw new InvalidOperationException($"{answerer} is not a registered member of the swarm at {info.Contract}; join through a member");
    }
}
