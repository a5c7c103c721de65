using System.Globalization;
using System.Text;

namespace SwarmFL.Node.Dashboard;

/// <summary>GET /api/traffic.csv: one line per round and protocol (the page builds the same CSV from /api/swarm).</summary>
public static class TrafficCsv
{
    public const string Header = "round,protocol,bytes_in,bytes_out,messages_in,messages_out";

    public static string Render(IEnumerable<TrafficRow> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            text.Append(CultureInfo.InvariantCulture, $"{r.Round},{r.Protocol},{r.BytesIn},{r.BytesOut},{r.MessagesIn},{r.MessagesOut}\n");
        return text.ToString();
    }
}
