using SwarmFL.Crypto;
using SwarmFL.Ring.Clusters;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Tests.Clusters;

public class ClusterAssignmentTests
{
    private static readonly Dictionary<int, List<PeerId>> Cache = new();

    private static List<PeerId> Members(int count)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(count, out var members))
            {
                members = Enumerable.Range(0, count).Select(i => ClusterVectors.DeterministicKey(7, i).PeerId).ToList();
                Cache[count] = members;
            }
            return members;
        }
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 5)]
    [InlineData(4, 5)]   // t − 1
    [InlineData(5, 5)]   // t
    [InlineData(6, 5)]   // t + 1
    [InlineData(7, 5)]
    [InlineData(8, 5)]   // 1.6 rounds up to 2
    [InlineData(1000, 5)]
    [InlineData(1000, 7)]
    [InlineData(1000, 1)]
    [InlineData(1000, 1000)]
    [InlineData(1000, 3000)]
    [InlineData(13, 2)]
    public void Clusters_are_balanced_contiguous_arcs(int memberCount, int target)
    {
        var members = Members(memberCount);
        var clusters = ClusterAssignment.Assign(members, target);

        // k = n / t rounded half up, at least 1 — computed here in floating point, independently of the integer rule
        var expectedCount = Math.Max(1, (int)Math.Floor(memberCount / (double)target + 0.5));
        Assert.Equal(expectedCount, clusters.Count);

        var sizes = clusters.Select(c => c.Members.Count).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 1, $"sizes {string.Join(",", sizes)}");
        Assert.Equal(memberCount, sizes.Sum());
        // larger clusters come first
        Assert.Equal(sizes.OrderByDescending(s => s), sizes);

        // walking the clusters in index order walks the ring in id order: contiguous arcs from the smallest id
        var walked = clusters.SelectMany(c => c.Members.Select(m => m.RingId)).ToList();
        Assert.Equal(members.Select(RingId.Of).OrderBy(id => id), walked);
        Assert.Equal(clusters.Select((c, i) => i), clusters.Select(c => c.Index));
    }

    [Fact]
    public void Sizes_follow_the_rule_for_every_small_n_and_t()
    {
        for (var n = 1; n <= 60; n++)
        for (var t = 1; t <= 20; t++)
        {
            var k = ClusterAssignment.ClusterCount(n, t);
            Assert.Equal(Math.Max(1, (int)Math.Floor(n / (double)t + 0.5)), k);
            var sizes = new int[k];
            for (var i = 0; i < n; i++) sizes[ClusterAssignment.ClusterOfSortedIndex(i, n, k)]++;
            Assert.True(sizes.Max() - sizes.Min() <= 1);
            Assert.All(sizes, size => Assert.True(size >= 1));
            // cluster index never decreases along the ring
            for (var i = 1; i < n; i++)
                Assert.True(ClusterAssignment.ClusterOfSortedIndex(i, n, k) >= ClusterAssignment.ClusterOfSortedIndex(i - 1, n, k));
        }
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        var members = Members(200);
        var expected = ClusterAssignment.ClusterOf(members, 9);
        var random = new Random(3);
        for (var trial = 0; trial < 5; trial++)
        {
            var shuffled = members.ToArray();
            random.Shuffle(shuffled);
            var actual = ClusterAssignment.ClusterOf(shuffled, 9);
            Assert.All(members, peer => Assert.Equal(expected[peer], actual[peer]));
        }
    }

    [Fact]
    public void No_members_no_clusters_and_bad_targets_are_refused()
    {
        Assert.Empty(ClusterAssignment.Assign([], 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterAssignment.Assign(Members(3), 0));
        var twice = Members(3).Append(Members(3)[1]);
        Assert.Throws<ArgumentException>(() => ClusterAssignment.Assign(twice, 2));
    }

    [Fact]
    public void Hex_entry_point_answers_in_input_order()
    {
        var members = Members(12);
        var hex = members.Select(peer => Hex.Encode(peer.Bytes)).Reverse().ToList();
        var byPeer = ClusterAssignment.ClusterOf(members, 4);
        var answer = ClusterAssignment.AssignHex(hex, 4);
        Assert.Equal(members.AsEnumerable().Reverse().Select(peer => byPeer[peer]), answer);
        Assert.Equal(3, answer.Distinct().Count());
    }

    [Fact]
    public void Vectors_are_reproducible_and_self_consistent()
    {
        var first = ClusterVectors.ToJson(ClusterVectors.Generate(11, 6));
        var second = ClusterVectors.ToJson(ClusterVectors.Generate(11, 6));
        Assert.Equal(first, second);
        foreach (var vector in ClusterVectors.Generate(11, 6))
        {
            Assert.Equal(vector.PeerIds.Count, vector.Clusters.Count);
            for (var i = 0; i < vector.PeerIds.Count; i++)
            {
                Assert.Equal(PeerId.Parse(vector.PeerIdsBase58[i]).ToBytes(), Hex.Decode(vector.PeerIds[i]));
                Assert.Equal("0x" + RingId.Of(PeerId.Parse(vector.PeerIdsBase58[i])), vector.RingIds[i]);
            }
        }
    }
}
