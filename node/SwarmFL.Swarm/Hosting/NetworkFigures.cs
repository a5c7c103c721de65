using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Resources;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// The network side of status.json: what the host's resource manager has in use and what it refused, per kind and
/// reason (e.g. <c>refused.connection.pendingHandshakesPerIp</c>), so an operator sees an attack as numbers.
/// </summary>
public sealed record NetworkFigures(
    int Connections, int PendingHandshakes, int InboundStreams, long StreamMemory, int Peers, int Members,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Refused)
{
    public static NetworkFigures Of(Libp2pHost host, int members)
    {
        var usage = host.Resources.Usage();
        var refused = host.Resources.Refusals.Snapshot()
            .GroupBy(c => Camel(c.Kind.ToString()))
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(c => Camel(c.Reason.ToString()), c => c.Count));
        return new NetworkFigures(usage.Connections, usage.PendingHandshakes, usage.InboundStreams, usage.StreamMemory, usage.Peers, members, refused);
    }

    /// <summary>One line for `swarmfl status`.</summary>
    public string Summary()
    {
        var refused = Refused.Sum(k => k.Key == "bytes" ? 0 : k.Value.Values.Sum());
        return $"{Connections} connections, {PendingHandshakes} handshaking, {InboundStreams} inbound streams ({StreamMemory / (1024.0 * 1024):0.#} MiB reserved), " +
               $"{Members} members known, {refused} refused" +
               (refused == 0 ? "" : " (" + string.Join(", ", Refused.Where(k => k.Key != "bytes").SelectMany(k => k.Value.Select(r => $"{k.Key} {r.Key}: {r.Value}"))) + ")");
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
