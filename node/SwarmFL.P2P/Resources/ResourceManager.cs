using System.Net;
using System.Net.Sockets;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.P2P.Membership;

namespace SwarmFL.P2P.Resources;

/// <summary>
/// The one place that decides whether the network may take a resource from this host: a handshake slot, a
/// connection, an inbound stream and the memory its receive window pins. Each grant is a lease the host disposes
/// when the resource is freed. Counts are kept per remote IP, per /24 (IPv4) or /64 (IPv6) subnet, per peer and in
/// total, because PeerIds cost nothing to make while addresses do. Every refusal is counted (<see cref="Refusals"/>)
/// and logged at most once per reason per <see cref="ResourceLimits.RefusalLogInterval"/>.
/// </summary>
public sealed class ResourceManager
{
    private readonly object _sync = new();
    private readonly Dictionary<IPAddress, int> _pendingPerIp = new();
    private readonly Dictionary<Subnet, int> _pendingPerSubnet = new();
    private readonly Dictionary<IPAddress, int> _connectionsPerIp = new();
    private readonly Dictionary<Subnet, int> _connectionsPerSubnet = new();
    private readonly Dictionary<PeerId, PeerUsage> _peers = new();
    private readonly RefusalLog _refusalLog;
    private IPeerMembership _membership;
    private int _pending;
    private int _connections;
    private int _streams;
    private long _streamMemory;

    public ResourceManager(ResourceLimits? limits = null, IPeerMembership? membership = null, ILogger? log = null, TimeProvider? time = null)
    {
        Limits = (limits ?? new ResourceLimits()).Validated();
        _membership = membership ?? PeerMemberships.Nobody;
        _refusalLog = new RefusalLog((log ?? Log.Logger).ForContext<ResourceManager>(), Limits.RefusalLogInterval, time);
    }

    public ResourceLimits Limits { get; }
    public RefusalCounters Refusals { get; } = new();

    /// <summary>Who gets member limits and members-only protocols; the composition root sets it once the swarm is known.</summary>
    public IPeerMembership Membership
    {
        get => Volatile.Read(ref _membership);
        set => Volatile.Write(ref _membership, value ?? throw new ArgumentNullException(nameof(value)));
    }

    public bool IsMember(PeerId peer) => Membership.IsMember(peer);

    /// <summary>What is in use right now.</summary>
    public ResourceUsage Usage()
    {
        lock (_sync) return new ResourceUsage(_pending, _connections, _streams, _streamMemory, _peers.Count);
    }

    /// <summary>Counts and logs (rate-limited) one refusal.</summary>
    public void Refuse(RefusedKind kind, RefusalReason reason, string source, long bytes = 0)
    {
        Refusals.Add(kind, reason);
        if (bytes > 0) Refusals.Add(RefusedKind.Bytes, reason, bytes);
        _refusalLog.Note(kind, reason, source);
    }

    // ---- handshakes ----------------------------------------------------------------------------------------

    /// <summary>A slot for an inbound connection to finish its handshake, or null (counted and logged) when a limit is full.</summary>
    public IDisposable? TryAdmitHandshake(IPAddress remote)
    {
        remote = Normalize(remote);
        var subnet = Subnet.Of(remote);
        RefusalReason? refused = null;
        lock (_sync)
        {
            // A full host refuses before the handshake: a connection it could not keep costs it no noise handshake.
            if (_connections >= Limits.MaxConnections) refused = RefusalReason.ConnectionsTotal;
            else if (_pending >= Limits.MaxPendingHandshakes) refused = RefusalReason.PendingHandshakesTotal;
            else if (_pendingPerIp.GetValueOrDefault(remote) >= Limits.MaxPendingHandshakesPerIp) refused = RefusalReason.PendingHandshakesPerIp;
            else if (_pendingPerSubnet.GetValueOrDefault(subnet) >= Limits.MaxPendingHandshakesPerSubnet) refused = RefusalReason.PendingHandshakesPerSubnet;
            else
            {
                _pending++;
                Increment(_pendingPerIp, remote);
                Increment(_pendingPerSubnet, subnet);
            }
        }
        if (refused is { } reason)
        {
            Refuse(RefusedKind.Connection, reason, remote.ToString());
            return null;
        }
        return new Lease(() =>
        {
            lock (_sync)
            {
                _pending--;
                Decrement(_pendingPerIp, remote);
                Decrement(_pendingPerSubnet, subnet);
            }
        });
    }

    // ---- connections ---------------------------------------------------------------------------------------

    /// <summary>
    /// Admits an upgraded connection to <paramref name="peer"/>; <paramref name="inboundFrom"/> is the remote IP of an
    /// inbound connection (outbound ones we chose ourselves and count only in total and per peer). Null when refused.
    /// </summary>
    public ConnectionScope? TryAdmitConnection(PeerId peer, IPAddress? inboundFrom)
    {
        var remote = inboundFrom is null ? null : Normalize(inboundFrom);
        var subnet = remote is null ? default : Subnet.Of(remote);
        RefusalReason? refused = null;
        lock (_sync)
        {
            var usage = _peers.GetValueOrDefault(peer);
            if (_connections >= Limits.MaxConnections) refused = RefusalReason.ConnectionsTotal;
            else if (usage is not null && usage.Connections >= Limits.MaxConnectionsPerPeer) refused = RefusalReason.ConnectionsPerPeer;
            else if (remote is not null && _connectionsPerIp.GetValueOrDefault(remote) >= Limits.MaxConnectionsPerIp) refused = RefusalReason.ConnectionsPerIp;
            else if (remote is not null && _connectionsPerSubnet.GetValueOrDefault(subnet) >= Limits.MaxConnectionsPerSubnet) refused = RefusalReason.ConnectionsPerSubnet;
            else
            {
                _connections++;
                if (remote is not null)
                {
                    Increment(_connectionsPerIp, remote);
                    Increment(_connectionsPerSubnet, subnet);
                }
                if (usage is null) _peers[peer] = usage = new PeerUsage();
                usage.Connections++;
            }
        }
        if (refused is { } reason)
        {
            Refuse(RefusedKind.Connection, reason, remote?.ToString() ?? peer.ToString());
            return null;
        }
        return new ConnectionScope(this, peer, remote, subnet);
    }

    private void Release(ConnectionScope scope)
    {
        lock (_sync)
        {
            _connections--;
            if (scope.Remote is not null)
            {
                Decrement(_connectionsPerIp, scope.Remote);
                Decrement(_connectionsPerSubnet, scope.Subnet);
            }
            if (_peers.TryGetValue(scope.Peer, out var usage) && --usage.Connections == 0 && usage.StreamMemory == 0) _peers.Remove(scope.Peer);
        }
    }

    // ---- streams -------------------------------------------------------------------------------------------

    /// <summary>
    /// Admits an inbound stream on <paramref name="connection"/> that may buffer up to <paramref name="memory"/> bytes
    /// (its receive window). Members and outsiders have separate stream and memory limits. Null when refused.
    /// </summary>
    public IDisposable? TryAdmitInboundStream(ConnectionScope connection, long memory)
    {
        var member = IsMember(connection.Peer);
        var maxStreams = member ? Limits.MaxMemberStreamsPerConnection : Limits.MaxOutsiderStreamsPerConnection;
        var perConnection = member ? Limits.MemberMemoryPerConnection : Limits.OutsiderMemoryPerConnection;
        var perPeer = member ? Limits.MemberMemoryPerPeer : Limits.OutsiderMemoryPerPeer;
        RefusalReason? refused = null;
        lock (_sync)
        {
            var usage = _peers.GetValueOrDefault(connection.Peer);
            if (connection.Streams >= maxStreams) refused = RefusalReason.StreamsPerConnection;
            else if (connection.Memory + memory > perConnection) refused = RefusalReason.StreamMemoryPerConnection;
            else if ((usage?.StreamMemory ?? 0) + memory > perPeer) refused = RefusalReason.StreamMemoryPerPeer;
            else if (_streamMemory + memory > Limits.MaxStreamMemory) refused = RefusalReason.StreamMemoryTotal;
            else
            {
                connection.Streams++;
                connection.Memory += memory;
                if (usage is null) _peers[connection.Peer] = usage = new PeerUsage();
                usage.StreamMemory += memory;
                _streams++;
                _streamMemory += memory;
            }
        }
        if (refused is { } reason)
        {
            Refuse(RefusedKind.Stream, reason, connection.Peer.ToString());
            return null;
        }
        return new Lease(() =>
        {
            lock (_sync)
            {
                connection.Streams--;
                connection.Memory -= memory;
                _streams--;
                _streamMemory -= memory;
                if (_peers.TryGetValue(connection.Peer, out var usage))
                {
                    usage.StreamMemory -= memory;
                    if (usage.Connections == 0 && usage.StreamMemory == 0) _peers.Remove(connection.Peer);
                }
            }
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static void Increment<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull
    {
        if (!counts.TryGetValue(key, out var n)) return;
        if (n <= 1) counts.Remove(key);
        else counts[key] = n - 1;
    }

    /// <summary>The /24 of an IPv4 address or the /64 of an IPv6 address.</summary>
    internal readonly record struct Subnet(bool IsV6, ulong Prefix)
    {
        public static Subnet Of(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out var length);
            if (address.AddressFamily == AddressFamily.InterNetwork)
                return new Subnet(false, ((ulong)bytes[0] << 16) | ((ulong)bytes[1] << 8) | bytes[2]);
            return new Subnet(true, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[..8]));
        }
    }

    private sealed class PeerUsage
    {
        public int Connections;
        public long StreamMemory;
    }

    private sealed class Lease(Action release) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) release();
        }
    }

    /// <summary>One admitted connection: what its streams hold, released once when the connection ends.</summary>
    public sealed class ConnectionScope : IDisposable
    {
        private readonly ResourceManager _owner;
        private int _released;

        internal ConnectionScope(ResourceManager owner, PeerId peer, IPAddress? remote, Subnet subnet)
        {
            _owner = owner;
            Peer = peer;
            Remote = remote;
            Subnet = subnet;
        }

        public PeerId Peer { get; }
        internal IPAddress? Remote { get; }
        internal Subnet Subnet { get; }
        internal int Streams;   // guarded by the owner's lock
        internal long Memory;   // guarded by the owner's lock

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(this);
        }
    }
}

/// <summary>Resources in use: handshakes pending, connections open, inbound streams and the memory they reserve, peers known.</summary>
public readonly record struct ResourceUsage(int PendingHandshakes, int Connections, int InboundStreams, long StreamMemory, int Peers);
