using SwarmFL.Chain.Rpc;
using SwarmFL.P2P.Hosting;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Per-round traffic by protocol family (gossip, model transfer, Chord, chain RPC): the counters are cumulative, so a
/// round's figures are the difference between two snapshots.
/// </summary>
public sealed class TrafficLedger(TrafficCounters p2p, RpcTrafficCounter rpc)
{
    private Dictionary<string, TrafficFigures> _previous = [];
    private ChainRpcFigures _previousRpc = new(0, 0, 0, new Dictionary<string, long>());

    public static string FamilyOf(string protocol) => protocol switch
    {
        _ when protocol.StartsWith("/meshsub/", StringComparison.Ordinal) || protocol.StartsWith("/floodsub/", StringComparison.Ordinal) => "gossip",
        "/swarmfl/model/1.0.0" => "model",
        _ when protocol.StartsWith("/swarmfl/chord/", StringComparison.Ordinal) || protocol.StartsWith("/swarmfl/ring-store/", StringComparison.Ordinal) => "chord",
        _ => "other",
    };

    public Dictionary<string, TrafficFigures> Totals()
    {
        var totals = p2p.Snapshot()
            .GroupBy(kv => FamilyOf(kv.Key))
            .ToDictionary(g => g.Key, g => new TrafficFigures(g.Sum(x => x.Value.BytesIn), g.Sum(x => x.Value.BytesOut), g.Sum(x => x.Value.MessagesIn), g.Sum(x => x.Value.MessagesOut)));
        totals["chain-rpc"] = new TrafficFigures(rpc.BytesReceived, rpc.BytesSent, rpc.Responses, rpc.Requests);
        return totals;
    }

    /// <summary>The traffic since the previous call.</summary>
    public IReadOnlyDictionary<string, TrafficFigures> TakeRound()
    {
        var now = Totals();
        var delta = now.ToDictionary(kv => kv.Key, kv =>
        {
            var before = _previous.GetValueOrDefault(kv.Key) ?? new TrafficFigures(0, 0, 0, 0);
            return new TrafficFigures(kv.Value.BytesIn - before.BytesIn, kv.Value.BytesOut - before.BytesOut, kv.Value.MessagesIn - before.MessagesIn, kv.Value.MessagesOut - before.MessagesOut);
        });
        _previous = now;
        return delta;
    }

    /// <summary>The chain RPC since the previous call.</summary>
    public ChainRpcFigures TakeRoundRpc()
    {
        var now = new ChainRpcFigures(rpc.Requests, rpc.Calls, rpc.Notifications, rpc.CallsByMethod);
        var before = _previousRpc;
        _previousRpc = now;
        return new ChainRpcFigures(now.Requests - before.Requests, now.Calls - before.Calls, now.Notifications - before.Notifications,
            now.CallsByMethod.Select(kv => (kv.Key, Count: kv.Value - before.CallsByMethod.GetValueOrDefault(kv.Key)))
                .Where(x => x.Count > 0).ToDictionary(x => x.Key, x => x.Count));
    }
}
