using System.Collections.Concurrent;
using SwarmFL.Crypto;
using SwarmFL.P2P.Multiaddrs;

namespace SwarmFL.P2P.Hosting;

/// <summary>What we know about other peers: addresses to dial them at, and what identify told us.</summary>
public sealed class PeerStore
{
    private const int MaxAddressesPerPeer = 16;
    private readonly ConcurrentDictionary<PeerId, PeerRecord> _peers = new();

    /// <summary>
    /// Where a peer's address comes from when nothing on the network told us one (no connection, identify or ring
    /// answer): a swarm node names the address each member registered on chain. Only a hint: a dial still has to prove
    /// the peer's identity.
    /// </summary>
    public Func<PeerId, Multiaddr?>? Registered { get; set; }

    public void AddAddresses(PeerId peer, IEnumerable<Multiaddr> addresses)
    {
        var record = _peers.GetOrAdd(peer, _ => new PeerRecord());
        lock (record)
        {
            foreach (var address in addresses.Select(a => a.WithoutPeerId()))
            {
                if (!Transport.TcpTransport.CanDial(address) || record.Addresses.Contains(address)) continue;
                if (record.Addresses.Count >= MaxAddressesPerPeer) record.Addresses.RemoveAt(0);
                record.Addresses.Add(address);
            }
        }
    }

    public IReadOnlyList<Multiaddr> GetAddresses(PeerId peer)
    {
        if (_peers.TryGetValue(peer, out var record))
        {
            lock (record)
            {
                if (record.Addresses.Count > 0) return record.Addresses.ToArray();
            }
        }
        return Registered?.Invoke(peer)?.WithoutPeerId() is { } registered && Transport.TcpTransport.CanDial(registered) ? [registered] : [];
    }

    public void SetIdentify(PeerId peer, string? agentVersion, IReadOnlyList<string> protocols)
    {
        var record = _peers.GetOrAdd(peer, _ => new PeerRecord());
        lock (record)
        {
            record.AgentVersion = agentVersion;
            record.Protocols = protocols;
        }
    }

    public IReadOnlyList<string> GetProtocols(PeerId peer)
    {
        if (!_peers.TryGetValue(peer, out var record)) return [];
        lock (record) return record.Protocols;
    }

    public string? GetAgentVersion(PeerId peer) => _peers.TryGetValue(peer, out var record) ? record.AgentVersion : null;

    private sealed class PeerRecord
    {
        public List<Multiaddr> Addresses { get; } = [];
        public string? AgentVersion { get; set; }
        public IReadOnlyList<string> Protocols { get; set; } = [];
    }
}
