using System.Collections.Concurrent;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Collections;

namespace SwarmFL.Swarm.Verification;

/// <summary>
/// The endorsements of recent merges heard by gossip, per (round, cluster, leader): signer → signature. The host puts
/// only signatures whose signer it recovered on the board; the leader hands them in once every other committer of its
/// cluster has endorsed. Bounded, because members can send anything: a few merges, and at most one entry per member.
/// </summary>
public sealed class EndorsementBoard
{
    private const int KeepMerges = 64;
    /// <summary>The contract's MAX_MEMBERS: no merge can have more endorsers.</summary>
    private const int MaxEndorsers = 1024;

    private readonly RecentMap<(ulong Round, int Cluster, EthereumAddress Leader), ConcurrentDictionary<EthereumAddress, byte[]>> _merges = new(KeepMerges);

    /// <summary>Records <paramref name="signer"/>'s endorsement of the merge; false when the board is full for it.</summary>
    public bool Note(ulong round, int cluster, EthereumAddress leader, EthereumAddress signer, byte[] signature)
    {
        var endorsers = _merges.GetOrAdd((round, cluster, leader), () => new ConcurrentDictionary<EthereumAddress, byte[]>());
        // ConcurrentDictionary.Count takes every lock: asked only for a signer not on the board yet.
        if (!endorsers.ContainsKey(signer) && endorsers.Count >= MaxEndorsers) return false;
        endorsers[signer] = signature;
        return true;
    }

    public IReadOnlyDictionary<EthereumAddress, byte[]> For(ulong round, int cluster, EthereumAddress leader) =>
        _merges.TryGetValue((round, cluster, leader), out var endorsers) ? endorsers : new Dictionary<EthereumAddress, byte[]>();
}
