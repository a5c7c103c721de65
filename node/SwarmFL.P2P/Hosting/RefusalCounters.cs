using System.Collections.Concurrent;

namespace SwarmFL.P2P.Hosting;

/// <summary>What the host turned away, by kind and reason; reasons are a closed set of short names, fit for metric labels.</summary>
public sealed class RefusalCounters
{
    public const string Connection = "connection";
    public const string Stream = "stream";

    /// <summary>Too many inbound connections still handshaking.</summary>
    public const string PendingInboundLimit = "pending_inbound_limit";
    /// <summary>The host holds its maximum of connections.</summary>
    public const string ConnectionLimit = "connection_limit";
    /// <summary>The peer holds its maximum of connections to this host.</summary>
    public const string PerPeerLimit = "per_peer_limit";
    /// <summary>The connection's security or muxer handshake failed or timed out.</summary>
    public const string HandshakeFailed = "handshake_failed";
    /// <summary>The peer holds its maximum of open inbound streams on one connection.</summary>
    public const string StreamLimit = "stream_limit";
    /// <summary>The stream proposed no protocol this host speaks, or did not finish negotiating in time.</summary>
    public const string NegotiationFailed = "negotiation_failed";

    private readonly ConcurrentDictionary<(string Kind, string Reason), long> _counts = new();

    public void Record(string kind, string reason) => _counts.AddOrUpdate((kind, reason), 1, (_, n) => n + 1);

    public IReadOnlyDictionary<(string Kind, string Reason), long> Snapshot() => new Dictionary<(string, string), long>(_counts);
}
