using SwarmFL.Crypto;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Clusters;

/// <summary>One cluster: a contiguous arc of the ring, its members in ring order.</summary>
public sealed record Cluster(int Index, IReadOnlyList<ClusterMember> Members)
{
    /// <summary>The arc starts at the first member's ring id (inclusive) …</summary>
    public RingId ArcStart => Members[0].RingId;
}

public sealed record ClusterMember(PeerId Peer, RingId RingId);

/// <summary>
/// The cluster rule of docs/clusters.md, which the coordinator contract implements too — change both or neither.
/// Members are sorted by ringId = sha256(peerIdBytes); k = max(1, ⌊(2n + t) / 2t⌋) clusters (n/t rounded half up);
/// the first n mod k clusters get ⌊n/k⌋ + 1 members, the others ⌊n/k⌋, walking the ring from the smallest id.
/// </summary>
public static class ClusterAssignment
{
    /// <summary>The number of clusters for <paramref name="memberCount"/> members and target size <paramref name="targetSize"/>.</summary>
    public static int ClusterCount(int memberCount, int targetSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(memberCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetSize, 1);
        if (memberCount == 0) return 0;
        var n = (long)memberCount;
        var t = (long)targetSize;
        return (int)Math.Max(1, (2 * n + t) / (2 * t));
    }

    /// <summary>The cluster of the member at sorted index <paramref name="sortedIndex"/> (step 5 of the rule).</summary>
    public static int ClusterOfSortedIndex(int sortedIndex, int memberCount, int clusterCount)
    {
        var q = memberCount / clusterCount;
        var r = memberCount % clusterCount;
        var largeSpan = (long)r * (q + 1);
        return sortedIndex < largeSpan ? (int)(sortedIndex / (q + 1)) : (int)(r + (sortedIndex - largeSpan) / q);
    }

    /// <summary>Splits the members into clusters; the input order does not matter. Duplicate peers are an error.</summary>
    public static IReadOnlyList<Cluster> Assign(IEnumerable<PeerId> members, int targetSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetSize, 1);
        var sorted = members.Select(peer => new ClusterMember(peer, RingId.Of(peer))).OrderBy(member => member.RingId).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].RingId == sorted[i - 1].RingId)
                throw new ArgumentException($"peer {sorted[i].Peer} appears twice in the member list", nameof(members));
        }

        var k = ClusterCount(sorted.Count, targetSize);
        var clusters = new List<ClusterMember>[k];
        for (var c = 0; c < k; c++) clusters[c] = [];
        for (var i = 0; i < sorted.Count; i++) clusters[ClusterOfSortedIndex(i, sorted.Count, k)].Add(sorted[i]);
        return clusters.Select((list, index) => new Cluster(index, list)).ToList();
    }

    /// <summary>The cluster index of each member, in the order given: what a node needs to find its own cluster.</summary>
    public static IReadOnlyDictionary<PeerId, int> ClusterOf(IEnumerable<PeerId> members, int targetSize) =>
        Assign(members, targetSize).SelectMany(cluster => cluster.Members.Select(member => (member.Peer, cluster.Index)))
            .ToDictionary(pair => pair.Peer, pair => pair.Index);

    /// <summary>
    /// Cross-check entry point: PeerId multihash bytes as hex (with or without 0x) in any order → for each input, the
    /// cluster index. The contract's tests can feed the same hex list to the contract and compare.
    /// </summary>
    public static int[] AssignHex(IReadOnlyList<string> peerIdHex, int targetSize)
    {
        var peers = peerIdHex.Select(hex => PeerId.FromBytes(Hex.Decode(hex))).ToList();
        var clusterOf = ClusterOf(peers, targetSize);
        return peers.Select(peer => clusterOf[peer]).ToArray();
    }
}
