using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Simulation;

namespace SwarmFL.Ring.Tests.Storage;

public class ReplicatedModelStoreTests
{
    private static byte[] Model(Random random)
    {
        var bytes = new byte[1024];
        random.NextBytes(bytes);
        return bytes;
    }

    private static IEnumerable<SimulatedNode> TrueReplicaSet(SimulatedRing ring, ContentId cid, int replicas)
    {
        var live = ring.SortedLive().ToList();
        var start = live.IndexOf(ring.TrueOwner(RingId.Of(cid)));
        return Enumerable.Range(0, replicas).Select(k => live[(start + k) % live.Count]);
    }

    private static int Copies(SimulatedRing ring, ContentId cid) => ring.Live.Count(node => node.Blobs!.Contains(cid));

    [Fact]
    public async Task Put_stores_at_the_successor_of_the_cid_and_the_next_r_minus_1_and_get_works_from_anywhere()
    {
        var ring = new SimulatedRing(31, new ChordOptions { SuccessorListLength = 5 }, replicas: 3);
        await ring.BuildAsync(30);
        var content = Model(ring.Random);
        var maker = ring.SortedLive()[4];
        var put = await maker.Store!.PutAsync(content);

        Assert.Equal(ContentId.Of(content), put.Cid);
        Assert.Equal(TrueReplicaSet(ring, put.Cid, 3).Select(n => n.Self), put.Holders);
        Assert.Equal(3, Copies(ring, put.Cid));
        foreach (var node in ring.SortedLive()) Assert.Equal(content, await node.Store!.GetAsync(put.Cid));
        Assert.Null(await maker.Store.GetAsync(ContentId.Of("never stored"u8)));
    }

    [Fact]
    public async Task Models_survive_failures_and_repair_restores_r_copies()
    {
        var ring = new SimulatedRing(32, new ChordOptions { SuccessorListLength = 6 }, replicas: 3);
        await ring.BuildAsync(60);
        var cids = new List<ContentId>();
        for (var i = 0; i < 20; i++) cids.Add((await ring.RandomLiveNode().Store!.PutAsync(Model(ring.Random))).Cid);

        // kill two of the three holders of the first model, plus 10 % of the rest
        var holders = TrueReplicaSet(ring, cids[0], 3).ToArray();
        ring.Fail(holders[0]);
        ring.Fail(holders[1]);
        foreach (var victim in ring.SortedLive().Where(node => node != holders[2]).Where((_, i) => i % 10 == 3).ToArray()) ring.Fail(victim);
        Assert.True(await ring.StabilizeUntilCorrectAsync(30) > 0, ring.IsCorrect(out var problem) ? "" : problem);

        foreach (var cid in cids.Where(cid => Copies(ring, cid) > 0))
            Assert.NotNull(await ring.RandomLiveNode().Store!.GetAsync(cid));

        await ring.RunRoundAsync(repairStore: true);
        foreach (var cid in cids.Where(cid => Copies(ring, cid) > 0))
        {
            foreach (var node in TrueReplicaSet(ring, cid, 3)) Assert.True(node.Blobs!.Contains(cid), $"{node} lacks {cid}");
        }
        Assert.Equal(3, Copies(ring, cids[0])); // one survivor, two copies made by repair
    }

    [Fact]
    public async Task A_corrupt_replica_is_not_served_and_the_reader_gets_a_good_one()
    {
        var ring = new SimulatedRing(33, new ChordOptions { SuccessorListLength = 4 }, replicas: 3);
        await ring.BuildAsync(12);
        var content = Model(ring.Random);
        var cid = (await ring.SortedLive()[0].Store!.PutAsync(content)).Cid;
        var owner = TrueReplicaSet(ring, cid, 3).First();
        owner.Blobs!.CorruptForTest(cid, Model(ring.Random));

        var reader = ring.SortedLive().First(node => !node.Blobs!.Contains(cid));
        Assert.Equal(content, await reader.Store!.GetAsync(cid));
        Assert.False(owner.Blobs.Contains(cid)); // the bad copy was dropped when it failed verification
        IBlobServiceProbe.AssertRefusesMismatch(owner);
    }

    [Fact]
    public async Task A_leaving_holder_hands_its_models_over()
    {
        var ring = new SimulatedRing(34, new ChordOptions { SuccessorListLength = 4 }, replicas: 3);
        await ring.BuildAsync(15);
        var content = Model(ring.Random);
        var cid = (await ring.SortedLive()[3].Store!.PutAsync(content)).Cid;
        var leaver = TrueReplicaSet(ring, cid, 3).First();

        await leaver.Store!.LeaveAsync();
        ring.MarkLeft(leaver);

        Assert.Equal(3, Copies(ring, cid));
        foreach (var node in TrueReplicaSet(ring, cid, 3)) Assert.True(node.Blobs!.Contains(cid));
    }

    [Fact]
    public async Task A_blob_past_a_nodes_retention_is_written_back_by_no_path_a_peers_offer_its_own_put_or_a_fetch()
    {
        var ring = new SimulatedRing(35, new ChordOptions { SuccessorListLength = 4 }, replicas: 3);
        await ring.BuildAsync(8);
        var content = Model(ring.Random);
        var cid = (await ring.SortedLive()[0].Store!.PutAsync(content)).Cid;
        var holder = TrueReplicaSet(ring, cid, 3).First();
        var expired = new HashSet<ContentId> { cid };
        holder.Store!.Unwanted = expired.Contains;
        holder.Blobs!.Delete(cid); // its retention's sweep

        await ring.RunRoundAsync(repairStore: true); // the other holders offer it back
        Assert.False(holder.Blobs.Contains(cid));
        await holder.Store.PutAsync(content); // this node's own put reaches itself in the replica set
        Assert.False(holder.Blobs.Contains(cid));
        Assert.Equal(content, await holder.Store.GetAsync(cid)); // a fetch still returns the bytes…
        Assert.False(holder.Store.KeepLocal(cid, content)); // …but does not keep them
        Assert.False(holder.Blobs.Contains(cid));

        expired.Clear(); // the same paths keep a blob that is not expired
        Assert.True(holder.Store.KeepLocal(cid, content));
        Assert.True(holder.Blobs.Contains(cid));
    }
}

internal static class IBlobServiceProbe
{
    public static void AssertRefusesMismatch(SimulatedNode node)
    {
        var service = (SwarmFL.Ring.Storage.IBlobService)node.Store!;
        var accepted = service.StoreAsync(node.Self, ContentId.Of("a"u8), "b"u8.ToArray(), default).Result;
        Assert.False(accepted);
        Assert.False(node.Blobs!.Contains(ContentId.Of("a"u8)));
    }
}
