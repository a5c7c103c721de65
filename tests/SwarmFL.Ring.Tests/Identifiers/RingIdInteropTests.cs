using SwarmFL.Crypto;
using SwarmFL.Ring.Clusters;
using SwarmFL.Ring.Identifiers;
using SwarmFL.TestSupport;

namespace SwarmFL.Ring.Tests.Identifiers;

public class RingIdInteropTests
{
    [Fact]
    public async Task Ring_ids_match_js_libp2p_peer_ids_hashed_by_node()
    {
        RepoPaths.RequireNodeModules();
        var peers = Enumerable.Range(0, 20).Select(i => ClusterVectors.DeterministicKey(99, i).PeerId).ToList();
        var output = await NodeScript.RunAsync("ring/ring-ids.mjs", [], string.Join('\n', peers.Select(p => p.ToString())));
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(peers.Count, expected.Length);
        for (var i = 0; i < peers.Count; i++) Assert.Equal(expected[i], RingId.Of(peers[i]).ToString());
    }
}
