using System.Collections.Concurrent;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Membership;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.P2P.PubSub;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Ports;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Adversarial;

/// <summary>
/// The network side of a member driven by test code, built from the project's own P2P stack: a libp2p host that serves
/// /swarmfl/model from whatever blobs the adversary puts here (served plainly, or at a trickle), and gossipsub on the
/// swarm's topic to announce its commits as an honest node does (so leaders learn it holds them). It stays out of the
/// ring: its models can be had only from it.
/// </summary>
public sealed class AdversaryPeer : IAsyncDisposable, IBlobSource
{
    private readonly Libp2pHost _host;
    private readonly GossipSub _gossip;
    private readonly GossipAnnouncer _announcer;
    private readonly ConcurrentDictionary<ContentId, (byte[] Bytes, TimeSpan? BytePause)> _blobs = new();
    private readonly ConcurrentDictionary<ContentId, int> _requests = new();

    public AdversaryPeer(NodeKey key, EthereumAddress contract)
    {
        _host = new Libp2pHost(key);
        _host.Resources.Membership = PeerMemberships.Everybody; // it serves whoever asks: that is its honest face
        Address = _host.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        ModelProtocol.Serve(_host, this);
        _gossip = _host.StartGossipSub();
        var topic = GossipAnnouncer.TopicFor(contract);
        var messages = _gossip.Subscribe(topic);
        _ = Task.Run(async () => { await foreach (var _ in messages.ReadAllAsync()) { } }); // stays subscribed, reads nothing
        _announcer = new GossipAnnouncer(_gossip, topic);
    }

    public Multiaddr Address { get; }

    /// <summary>Serves the blob in full, or one byte every <paramref name="bytePause"/> after a truthful header.</summary>
    public ContentId Hold(byte[] bytes, TimeSpan? bytePause = null)
    {
        var id = ContentId.Of(bytes);
        _blobs[id] = (bytes, bytePause);
        return id;
    }

    /// <summary>How many times a peer asked for this blob over /swarmfl/model (and got the answer started).</summary>
    public int RequestsFor(ContentId id) => _requests.GetValueOrDefault(id);

    public ValueTask<BlobContent?> TryOpenAsync(ContentId id, CancellationToken ct)
    {
        if (!_blobs.TryGetValue(id, out var blob)) return ValueTask.FromResult<BlobContent?>(null);
        _requests.AddOrUpdate(id, 1, (_, n) => n + 1);
        Stream content = blob.BytePause is { } pause ? new TricklingStream(blob.Bytes, pause) : new MemoryStream(blob.Bytes, writable: false);
        return ValueTask.FromResult<BlobContent?>(new BlobContent(blob.Bytes.Length, content));
    }

    /// <summary>Dials every honest node it is not connected to yet (a failed dial is retried at the next call).</summary>
    public async Task ConnectAsync(IEnumerable<string> addresses, CancellationToken ct)
    {
        foreach (var address in addresses)
        {
            try { await _host.DialAsync(Multiaddr.Parse(address), ct); }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException) { }
        }
    }

    public Task AnnounceCommitAsync(ulong round, int cluster, ContentId model, ulong samples, CancellationToken ct) =>
        _announcer.AnnounceAsync(new ModelAnnouncement(AnnouncementKind.LocalUpdate, round, cluster, model, samples, 0.5), ct);

    public async ValueTask DisposeAsync()
    {
        await _gossip.DisposeAsync();
        await _host.DisposeAsync();
    }
}
