using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub;

namespace SwarmFL.P2P.Tests.PubSub.Support;

/// <summary>Many virtual peers in one process, linked by in-memory connections that carry negotiated streams.</summary>
internal sealed class InMemoryNetwork
{
    private readonly object _gate = new();
    private readonly Dictionary<PeerId, InMemoryEndpoint> _endpoints = new();
    private readonly Dictionary<(PeerId, PeerId), List<DuplexPipeStream>> _links = new();

    public InMemoryEndpoint AddPeer(PeerId id)
    {
        var endpoint = new InMemoryEndpoint(this, id);
        lock (_gate) _endpoints.Add(id, endpoint);
        return endpoint;
    }

    private static (PeerId, PeerId) Key(PeerId a, PeerId b) => string.CompareOrdinal(a.ToString(), b.ToString()) < 0 ? (a, b) : (b, a);

    public void Connect(PeerId a, PeerId b)
    {
        InMemoryEndpoint ea, eb;
        lock (_gate)
        {
            if (!_links.TryAdd(Key(a, b), [])) return;
            ea = _endpoints[a];
            eb = _endpoints[b];
        }
        ea.OnConnected(b);
        eb.OnConnected(a);
    }

    public void Disconnect(PeerId a, PeerId b)
    {
        List<DuplexPipeStream>? streams;
        InMemoryEndpoint ea, eb;
        lock (_gate)
        {
            if (!_links.Remove(Key(a, b), out streams)) return;
            ea = _endpoints[a];
            eb = _endpoints[b];
        }
        foreach (var stream in streams) stream.Abort();
        ea.OnDisconnected(b);
        eb.OnDisconnected(a);
    }

    internal bool AreConnected(PeerId a, PeerId b)
    {
        lock (_gate) return _links.ContainsKey(Key(a, b));
    }

    internal PubSubStream Open(PeerId from, PeerId to, IReadOnlyList<string> protocols)
    {
        InMemoryEndpoint remote;
        (DuplexPipeStream Local, DuplexPipeStream Remote) pair;
        string protocol;
        lock (_gate)
        {
            if (!_links.TryGetValue(Key(from, to), out var streams)) throw new IOException($"{from} is not connected to {to}");
            remote = _endpoints[to];
            protocol = protocols.FirstOrDefault(remote.Supports)
                ?? throw new IOException($"{to} supports none of {string.Join(", ", protocols)}");
            pair = DuplexPipeStream.CreatePair();
            streams.Add(pair.Local);
            streams.Add(pair.Remote);
        }
        remote.Accept(new PubSubStream(from, protocol, pair.Remote));
        return new PubSubStream(to, protocol, pair.Local);
    }
}

internal sealed class InMemoryEndpoint(InMemoryNetwork network, PeerId id) : IPubSubNetwork
{
    private readonly object _gate = new();
    private readonly HashSet<PeerId> _connected = new();
    private readonly CancellationTokenSource _stopping = new();
    private IReadOnlyList<string> _protocols = [];
    private Func<PubSubStream, CancellationToken, Task>? _handler;

    public PeerId LocalPeerId => id;

    public IReadOnlyCollection<PeerId> ConnectedPeers
    {
        get { lock (_gate) return _connected.ToList(); }
    }

    public event Action<PeerId>? PeerConnected;
    public event Action<PeerId>? PeerDisconnected;

    public void SetStreamHandler(IReadOnlyList<string> protocols, Func<PubSubStream, CancellationToken, Task> handler)
    {
        _protocols = protocols;
        _handler = handler;
    }

    public Task<PubSubStream> OpenStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken) =>
        Task.Run(() => network.Open(id, peer, protocols), cancellationToken);

    internal bool Supports(string protocol) => _protocols.Contains(protocol);

    internal void Accept(PubSubStream stream)
    {
        var handler = _handler ?? throw new IOException("no handler");
        _ = Task.Run(() => handler(stream, _stopping.Token));
    }

    internal void OnConnected(PeerId peer)
    {
        lock (_gate) _connected.Add(peer);
        PeerConnected?.Invoke(peer);
    }

    internal void OnDisconnected(PeerId peer)
    {
        lock (_gate) _connected.Remove(peer);
        PeerDisconnected?.Invoke(peer);
    }
}
