using SwarmFL.Swarm.Collections;

namespace SwarmFL.Swarm.Tests;

/// <summary>The gossip boards keep the last few keys only, so a peer naming endless new ones costs no memory.</summary>
public sealed class RecentMapTests
{
    [Fact]
    public void Only_the_most_recent_keys_are_kept_and_a_known_key_keeps_its_value()
    {
        var map = new RecentMap<int, List<string>>(keep: 3);
        var first = map.GetOrAdd(1, () => ["one"]);
        Assert.Same(first, map.GetOrAdd(1, () => ["again"]));
        for (var key = 2; key <= 5; key++) map.GetOrAdd(key, () => [$"{key}"]);

        Assert.False(map.TryGetValue(1, out _));
        Assert.False(map.TryGetValue(2, out _));
        Assert.True(map.TryGetValue(5, out var last));
        Assert.Equal(["5"], last);
        Assert.Equal([3, 4, 5], Enumerable.Range(1, 5).Where(k => map.TryGetValue(k, out _)));
    }
}
