using System.Collections.Concurrent;
using SwarmFL.Crypto;

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

    private readonly ConcurrentDictionary<(ulong Round, int Cluster, EthereumAddress Leader), ConcurrentDictionary<EthereumAddress, byte[]>> _merges = new();
    private readonly ConcurrentQueue<(ulong, int, EthereumAddress)> _order = new();

    /// <summary>Records <paramref name="signer"/>'s endorsement of the merge; false when the board is full for it.</summary>
    public bool Note(ulong round, int cluster, EthereumAddress leader, EthereumAddress signer, byte[] signature)
    {
        var endorsers = _merges.GetOrAdd((round, cluster, leader), key =>
        {
            _order.Enqueue(key);
            return new ConcurrentDictionary<EthereumAddress, byte[]>();
        });
        while (_order.Count > KeepMerges && _order.TryDequeue(out var old)) _merges.TryRemove(old, out _);
        if (endorsers.Count >= MaxEndorsers && !endorsers.ContainsKey(signer)) return false;
        endorsers[signer] = signature;
        return true;
    }

    public IReadOnlyDictionary<EthereumAddress, byte[]> For(ulong round, int cluster, EthereumAddress leader) =>
        _merges.TryGetValue((round, cluster, leader), out var endorsers) ? endorsers : new Dictionary<EthereumAddress, byte[]>();
}
