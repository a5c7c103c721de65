using SwarmFL.Crypto;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Ring.Tests.Storage;

public sealed class DiskBlobStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "swarmfl-ring-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static byte[] Model(int seed)
    {
        var bytes = new byte[4096 + seed];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Blobs_survive_a_restart_and_are_named_by_content_id()
    {
        var content = Model(1);
        var cid = ContentId.Of(content);
        new DiskBlobStore(_directory).Put(cid, content);

        Assert.True(File.Exists(Path.Combine(_directory, "blobs", cid.ToString())));
        var reopened = new DiskBlobStore(_directory);
        Assert.Equal([cid], reopened.List());
        Assert.Equal(content, reopened.TryRead(cid));
        Assert.Equal(content.Length, reopened.Entry(cid)!.Size);
        Assert.Empty(Directory.EnumerateFiles(_directory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Bytes_that_do_not_match_the_id_are_refused()
    {
        var store = new DiskBlobStore(_directory);
        Assert.Throws<ArgumentException>(() => store.Put(ContentId.Of(Model(1)), Model(2)));
        Assert.Empty(store.List());
    }

    [Fact]
    public void A_blob_corrupted_on_disk_is_never_served_and_is_quarantined()
    {
        var store = new DiskBlobStore(_directory);
        var content = Model(3);
        var cid = ContentId.Of(content);
        store.Put(cid, content);
        var path = Path.Combine(_directory, "blobs", cid.ToString());
        var corrupted = content.ToArray();
        corrupted[100] ^= 0xff;
        File.WriteAllBytes(path, corrupted);

        Assert.Null(store.TryRead(cid));
        Assert.False(store.Contains(cid));
        Assert.False(File.Exists(path));
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "quarantine")));
        Assert.Empty(new DiskBlobStore(_directory).List());
    }

    [Fact]
    public void Opening_reconciles_the_index_with_the_files()
    {
        var store = new DiskBlobStore(_directory);
        var kept = Model(4);
        var lost = Model(5);
        store.Put(ContentId.Of(kept), kept);
        store.Put(ContentId.Of(lost), lost);
        File.Delete(Path.Combine(_directory, "blobs", ContentId.Of(lost).ToString()));           // file gone behind our back
        var unindexed = Model(6);
        File.WriteAllBytes(Path.Combine(_directory, "blobs", ContentId.Of(unindexed).ToString()), unindexed); // copied in by hand
        var badUnindexed = Model(7);
        File.WriteAllBytes(Path.Combine(_directory, "blobs", ContentId.Of(Model(8)).ToString()), badUnindexed);
        File.WriteAllBytes(Path.Combine(_directory, "blobs", "x.123.tmp"), [1, 2, 3]);          // interrupted write

        var reopened = new DiskBlobStore(_directory);
        Assert.Equal(new[] { ContentId.Of(kept), ContentId.Of(unindexed) }.OrderBy(c => c.ToString()), reopened.List().OrderBy(c => c.ToString()));
        Assert.False(File.Exists(Path.Combine(_directory, "blobs", "x.123.tmp")));
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "quarantine")));
    }

    [Fact]
    public void An_unreadable_index_is_rebuilt_from_the_files()
    {
        var content = Model(9);
        new DiskBlobStore(_directory).Put(ContentId.Of(content), content);
        File.WriteAllText(Path.Combine(_directory, "index.json"), "{ not json");
        var reopened = new DiskBlobStore(_directory);
        Assert.Equal(content, reopened.TryRead(ContentId.Of(content)));
    }

    [Fact]
    public void Delete_removes_file_and_entry()
    {
        var store = new DiskBlobStore(_directory);
        var content = Model(10);
        var cid = ContentId.Of(content);
        store.Put(cid, content);
        Assert.True(store.Delete(cid));
        Assert.False(store.Delete(cid));
        Assert.Null(new DiskBlobStore(_directory).TryRead(cid));
    }

    [Fact]
    public void Reading_another_process_store_unverified_shows_a_corrupt_file_as_it_is_and_changes_nothing()
    {
        var good = Model(5);
        var bad = Model(6);
        var goodId = ContentId.Of(good);
        var badId = ContentId.Of(bad);
        var store = new DiskBlobStore(_directory);
        store.Put(goodId, good);
        store.Put(badId, bad);
        File.WriteAllBytes(Path.Combine(_directory, "blobs", badId.ToString()), good); // a swapped file keeps its name
        var index = File.ReadAllBytes(Path.Combine(_directory, "index.json"));
        var temp = Path.Combine(_directory, "blobs", "in-flight.tmp"); // a running node's write in progress
        File.WriteAllBytes(temp, [1, 2, 3]);

        Assert.Equal(good, DiskBlobStore.ReadUnverified(_directory, goodId));
        Assert.Equal(good, DiskBlobStore.ReadUnverified(_directory, badId));
        Assert.Null(DiskBlobStore.ReadUnverified(_directory, ContentId.Of("absent"u8)));
        Assert.Null(DiskBlobStore.ReadUnverified(Path.Combine(_directory, "no-such-store"), goodId));

        Assert.True(File.Exists(temp));
        Assert.False(Directory.Exists(Path.Combine(_directory, "quarantine")));
        Assert.Equal(index, File.ReadAllBytes(Path.Combine(_directory, "index.json")));
        Assert.Null(store.TryRead(badId)); // the store itself still refuses it
    }
}
