using Serilog;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;
using SwarmFL.Ring.Storage;
using SwarmFL.Swarm.Retention;

namespace SwarmFL.Swarm.Tests;

/// <summary>
/// Retention on a real disk store, from the events a chain would emit: local updates past the retention are deleted,
/// the round in progress and the kept rounds stay, the lineage's merged models stay (or expire with their own
/// retention), and models the chain does not name or that are pinned are never deleted.
/// </summary>
public sealed class BlobRetentionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-retention").FullName;
    private readonly List<SwarmEvent> _events = [];
    private readonly DiskBlobStore _store;

    public BlobRetentionTests() => _store = new DiskBlobStore(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly LogEntry AnyLog = new(EthereumAddress.Zero, [], [], 1, new byte[32], new byte[32], 0, false);

    private ContentId Stored(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        var id = ContentId.Of(bytes);
        _store.Put(id, bytes);
        return id;
    }

    private ContentId Commit(ulong round, string name)
    {
        var id = Stored(name);
        _events.Add(new ModelCommitted(round, 0, EthereumAddress.Zero, id.DigestBytes(), 10, 0) { Log = AnyLog });
        return id;
    }

    private ContentId Merge(ulong round, string name)
    {
        var id = Stored(name);
        _events.Add(new MergePublished(round, 0, EthereumAddress.Zero, id.DigestBytes(), []) { Log = AnyLog });
        return id;
    }

    private ContentId SemiGlobal(ulong round, string name)
    {
        var id = Stored(name);
        _events.Add(new SemiGlobalPublished(round, 0, EthereumAddress.Zero, id.DigestBytes()) { Log = AnyLog });
        return id;
    }

    [Fact]
    public void A_copy_written_after_the_last_sweep_goes_at_the_next_one_without_reading_the_chain()
    {
        var old = Commit(1, "update 1");
        var kept = Commit(3, "update 3");
        var retention = new BlobRetention(new RetentionPolicy { Rounds = 1 }, _store, new HashSet<ContentId>(), Log.Logger);
        Assert.Equal(1, retention.Sweep(_events, currentRound: 3));
        Assert.Equal(0, retention.SweepAgain());

        // A replica accepted while that sweep ran lands after it (the race a node closes when its host stops).
        _store.Put(old, System.Text.Encoding.UTF8.GetBytes("update 1"));
        _events.Clear(); // no chain read: the last sweep's dating is used
        Assert.Equal(1, retention.SweepAgain());
        Assert.False(_store.Contains(old));
        Assert.True(_store.Contains(kept));
        Assert.Equal(0, new BlobRetention(RetentionPolicy.KeepEverything, _store, new HashSet<ContentId>(), Log.Logger).SweepAgain());
    }

    [Fact]
    public void Updates_past_the_retention_are_deleted_and_the_lineage_kept()
    {
        var updates = Enumerable.Range(1, 4).Select(r => Commit((ulong)r, $"update {r}")).ToArray();
        var merges = Enumerable.Range(1, 4).Select(r => Merge((ulong)r, $"merge {r}")).ToArray();
        var semis = Enumerable.Range(1, 3).Select(r => SemiGlobal((ulong)r, $"semi {r}")).ToArray();
        var unnamed = Stored("a commit on its way");
        var genesis = Stored("genesis");
        var retention = new BlobRetention(new RetentionPolicy { Rounds = 1 }, _store, new HashSet<ContentId> { genesis }, Log.Logger);

        // Round 4 in progress, one round kept before it: rounds 3 and 4 stay.
        Assert.Equal(2, retention.Sweep(_events, currentRound: 4));

        Assert.False(_store.Contains(updates[0]));
        Assert.False(_store.Contains(updates[1]));
        Assert.True(_store.Contains(updates[2]));
        Assert.True(_store.Contains(updates[3]));
        Assert.All(merges.Concat(semis).Append(unnamed).Append(genesis), id => Assert.True(_store.Contains(id)));
        Assert.Equal(2, retention.Deleted);
        Assert.Equal("update 1".Length + "update 2".Length, retention.DeletedBytes);
        // A peer that offers a deleted update back is refused; a kept one is not expired.
        Assert.True(retention.IsExpired(updates[0]));
        Assert.False(retention.IsExpired(updates[3]));
        Assert.False(retention.IsExpired(merges[0]));
        Assert.Equal(0, retention.Sweep(_events, currentRound: 4));
    }

    [Fact]
    public void The_lineage_expires_with_its_own_retention_but_pinned_models_never()
    {
        var genesisBytes = "genesis"u8.ToArray();
        var genesis = ContentId.Of(genesisBytes);
        _store.Put(genesis, genesisBytes);
        // A merge that dropped every input reproduces the genesis model: the chain names it as round 1's merge.
        _events.Add(new MergePublished(1, 0, EthereumAddress.Zero, genesis.DigestBytes(), []) { Log = AnyLog });
        var merges = Enumerable.Range(2, 5).Select(r => Merge((ulong)r, $"merge {r}")).ToArray();
        var policy = new RetentionPolicy { Rounds = 1, LineageRounds = 3 };
        Assert.Empty(policy.Problems());
        var retention = new BlobRetention(policy, _store, new HashSet<ContentId> { genesis }, Log.Logger);

        retention.Sweep(_events, currentRound: 7);

        Assert.True(_store.Contains(genesis));
        Assert.Equal([false, false, true, true, true], merges.Select(_store.Contains));
    }

    [Fact]
    public void Retention_zero_keeps_everything_and_bad_policies_are_named()
    {
        var old = Commit(1, "update 1");
        Assert.Equal(0, new BlobRetention(RetentionPolicy.KeepEverything, _store, new HashSet<ContentId>(), Log.Logger).Sweep(_events, 100));
        Assert.True(_store.Contains(old));

        Assert.Contains("--retention", Assert.Single(new RetentionPolicy { Rounds = -1 }.Problems()));
        Assert.Contains("shorter than --retention", Assert.Single(new RetentionPolicy { Rounds = 5, LineageRounds = 2 }.Problems()));
    }

    [Fact]
    public void A_model_named_twice_is_dated_by_its_newest_round_and_kept_as_lineage()
    {
        // A merge of one input can reproduce that input's bytes: the model is then both a commit and a merge.
        var both = Commit(1, "same bytes");
        _events.Add(new MergePublished(1, 0, EthereumAddress.Zero, both.DigestBytes(), []) { Log = AnyLog });
        var named = ModelRounds.From(_events);
        Assert.True(named.TryGet(both, out var newest, out var lineage));
        Assert.Equal(1ul, newest);
        Assert.True(lineage);
        Assert.False(new RetentionPolicy { Rounds = 1 }.IsExpired(named, both, 10));
    }
}
