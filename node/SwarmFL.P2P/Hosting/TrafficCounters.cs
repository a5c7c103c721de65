using System.Collections.Concurrent;

namespace SwarmFL.P2P.Hosting;

/// <summary>Bytes, messages and streams in and out for one protocol id, updated lock-free.</summary>
public sealed class ProtocolTraffic
{
    internal long _bytesIn, _bytesOut, _messagesIn, _messagesOut, _streamsIn, _streamsOut;
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesOut => Interlocked.Read(ref _bytesOut);
    /// <summary>Length-prefixed messages read (counted by <see cref="Framing.LengthPrefixed"/>).</summary>
    public long MessagesIn => Interlocked.Read(ref _messagesIn);
    public long MessagesOut => Interlocked.Read(ref _messagesOut);
    public long StreamsIn => Interlocked.Read(ref _streamsIn);
    public long StreamsOut => Interlocked.Read(ref _streamsOut);
    public override string ToString() => $"in {BytesIn} B/{MessagesIn} msg/{StreamsIn} streams, out {BytesOut} B/{MessagesOut} msg/{StreamsOut} streams";
}

/// <summary>Per-protocol traffic of a host, for metrics and dashboards.</summary>
public sealed class TrafficCounters
{
    private readonly ConcurrentDictionary<string, ProtocolTraffic> _byProtocol = new(StringComparer.Ordinal);

    public ProtocolTraffic For(string protocol) => _byProtocol.GetOrAdd(protocol, _ => new ProtocolTraffic());

    public IReadOnlyDictionary<string, ProtocolTraffic> Snapshot() => new Dictionary<string, ProtocolTraffic>(_byProtocol);
}
