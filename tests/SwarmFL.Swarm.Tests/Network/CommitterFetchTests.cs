using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Membership;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.Ring.Network;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Tests.Network;

/// <summary>
/// A leader that has not heard a member's announcement yet (gossip is slow to form on a loaded machine) still knows from
/// the chain who committed the model: over real libp2p hosts, the exchange asks the committer once it is told of the
/// commit, and finds no holder before.
/// </summary>
public sealed class CommitterFetchTests : IAsyncLifetime
{
    private static readonly byte[] Model = Enumerable.Range(0, 32 * 1024).Select(i => (byte)(i * 13)).ToArray();
    private readonly string _root = Directory.CreateTempSubdirectory("swarmfl-committer").FullName;
    private RingNodeHost _leader = null!;
    private Libp2pHost _committer = null!;
    private readonly NodeKey _committerKey = NodeKey.Generate();

    private sealed class OneModel : IBlobSource
    {
        public int Requests;

        public ValueTask<BlobContent?> TryOpenAsync(ContentId id, CancellationToken ct)
        {
            Interlocked.Increment(ref Requests);
            return ValueTask.FromResult(id == ContentId.Of(Model) ? new BlobContent(Model.Length, new MemoryStream(Model, writable: false)) : null);
        }
    }

    public async Task InitializeAsync()
    {
        _leader = await RingNodeHost.StartAsync(new RingNodeOptions { DataDirectory = Path.Combine(_root, "leader") });
        _committer = new Libp2pHost(_committerKey);
        _committer.Resources.Membership = PeerMemberships.Everybody;
        _committer.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        // As after the member dialled the leader: its address is known, its announcement is not.
        _leader.Host.PeerStore.AddAddresses(_committer.LocalPeerId, _committer.ListenAddresses.Select(a => a.WithoutPeerId()).ToArray());
    }

    [Fact]
    public async Task The_committer_is_asked_for_its_model_once_the_exchange_knows_who_committed_it()
    {
        var source = new OneModel();
        ModelProtocol.Serve(_committer, source);
        var id = ContentId.Of(Model);
        var exchange = new NetworkModelExchange(_leader.Store, _leader.Host)
        {
            ModelFileBytes = Model.Length,
            PeerOfMember = account => account == _committerKey.Address ? _committer.LocalPeerId : null,
        };

        await Assert.ThrowsAsync<ModelUnavailableException>(() => exchange.GetAsync(id, CancellationToken.None));
        Assert.Equal(0, source.Requests);

        exchange.NoteHeldBy(id, NodeKey.Generate().Address); // an account the directory does not know adds nobody
        await Assert.ThrowsAsync<ModelUnavailableException>(() => exchange.GetAsync(id, CancellationToken.None));

        exchange.NoteHeldBy(id, _committerKey.Address);
        Assert.Equal(Model, await exchange.GetAsync(id, CancellationToken.None));
        Assert.Equal(1, source.Requests);
    }

    public async Task DisposeAsync()
    {
        await _committer.DisposeAsync();
        await _leader.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
