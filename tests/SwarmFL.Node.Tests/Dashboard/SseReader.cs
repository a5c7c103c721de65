namespace SwarmFL.Node.Tests.Dashboard;

/// <summary>Reads Server-Sent Events messages (id, event, data) from a stream, as an EventSource would.</summary>
public sealed class SseReader(Stream stream)
{
    private readonly StreamReader _reader = new(stream);

    public sealed record Message(long Id, string Event, string Data);

    public async Task<Message> NextAsync(CancellationToken ct)
    {
        long id = -1;
        string? kind = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (data.Count > 0) return new Message(id, kind ?? "message", string.Join("\n", data));
                continue;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = long.Parse(value); break;
                case "event": kind = value; break;
                case "data": data.Add(value); break;
            }
        }
    }
}
