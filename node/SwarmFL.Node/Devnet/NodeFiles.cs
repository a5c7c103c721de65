using System.Text.Json;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Devnet;

/// <summary>
/// Reads the files a running node writes (docs/node-files.md) with the records and JSON options the node writes them with
/// (<see cref="StatusFiles"/>). Unlike <see cref="StatusFiles.ReadRounds"/>, these readers never throw on a missing or odd
/// file: the node may not have written it yet, or may be appending while we read.
/// </summary>
public static class NodeFiles
{
    public static NodeStatusFile? ReadStatus(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<NodeStatusFile>(File.ReadAllBytes(path), StatusFiles.Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Every well-formed line; a torn last line (appended while we read) or a malformed one is skipped and counted.</summary>
    public static (IReadOnlyList<RoundResultFile> Records, int Skipped) ReadRounds(string path)
    {
        var records = new List<RoundResultFile>();
        var skipped = 0;
        string[] lines;
        try
        {
            if (!File.Exists(path)) return (records, 0);
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return (records, 0);
        }
        foreach (var line in lines.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            try
            {
                if (JsonSerializer.Deserialize<RoundResultFile>(line, StatusFiles.Json) is { Round: > 0 } record) records.Add(record);
                else skipped++;
            }
            catch (JsonException)
            {
                skipped++;
            }
        }
        return (records, skipped);
    }
}
