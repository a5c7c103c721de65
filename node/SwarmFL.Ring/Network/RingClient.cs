using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Network.Messages;

namespace SwarmFL.Ring.Network;

/// <summary>
/// Talks to a ring from outside (CLI, tests): lookups that start at a known member, a member's view, and models put
/// at / fetched from their replica set. It is not a member itself.
/// </summary>
public sealed class RingClient
{
    private readonly Libp2pRingTransport _transport;
    private readonly ChordNode _outsider;
    private readonly int _replicas;

    public RingClient(Libp2pHost host, TimeSpan timeout, int replicas = 3)
    {
        _transport = new Libp2pRingTransport(host, timeout);
        _outsider = new ChordNode(new NodeRef(host.LocalPeerId), _transport, new ChordOptions { FailuresBeforeDrop = int.MaxValue });
        _replicas = replicas;
    }

    public Libp2pRingTransport Transport => _transport;

    public static NodeRef Member(string multiaddr)
    {
        var address = Multiaddr.Parse(multiaddr);
        var peer = address.PeerId ?? throw new FormatException($"'{multiaddr}' does not end in /p2p/<peer id>");
        return new NodeRef(peer, [address.WithoutPeerId().ToString()]);
    }

    public Task<LookupResult> LookupAsync(NodeRef via, RingId key, CancellationToken ct) => _outsider.FindSuccessorViaAsync(via, key, ct);

    public Task<ViewAnswer> ViewAsync(NodeRef member, CancellationToken ct) => _transport.GetViewAsync(member, ct);

    /// <summary>The first successor in a member's view; a view without a decodable one is an invalid answer.</summary>
    public static NodeRef FirstSuccessor(ViewAnswer view) =>
        view.Successors.Count > 0 ? WireFormat.FromWire(view.Successors[0]) : throw new InvalidAnswerException("the view has no successor");

    public async Task<IReadOnlyList<NodeRef>> ReplicaSetAsync(NodeRef via, ContentId cid, CancellationToken ct) =>
        (await LookupAsync(via, RingId.Of(cid), ct)).OwnerAndSuccessors.Take(_replicas).ToArray();

    /// <summary>Stores the model at its replica set; returns the members that accepted it.</summary>
    public async Task<IReadOnlyList<NodeRef>> PutAsync(NodeRef via, byte[] content, CancellationToken ct)
    {
        var cid = ContentId.Of(content);
        var holders = new List<NodeRef>();
        foreach (var node in await ReplicaSetAsync(via, cid, ct))
        {
            try { if (await _transport.StoreAsync(node, cid, content, ct)) holders.Add(node); }
            catch (PeerUnreachableException) { }
        }
        return holders;
    }

    /// <summary>
    /// A verified copy from the first replica-set member that has one, or null. The transport hashes the blob while it
    /// streams in and answers null on a mismatch, so the bytes are not hashed again here.
    /// </summary>
    public async Task<byte[]?> GetAsync(NodeRef via, ContentId cid, CancellationToken ct)
    {
        foreach (var node in await ReplicaSetAsync(via, cid, ct))
        {
            try
            {
                if (await _transport.FetchAsync(node, cid, ct) is { } content) return content;
            }
            catch (PeerUnreachableException) { }
        }
        return null;
    }
}
