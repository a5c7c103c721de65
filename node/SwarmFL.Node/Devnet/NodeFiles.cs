using System.Text.Json;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Devnet;

/// <summary>
/// Reads the files a running node writes (docs/node-files.md) with the records and JSON options the node writes them with
/// (<see cref="StatusFiles"/>). The status reader never throws on a missing or odd file: the node may not have written it
/// yet, or may be replacing it while we read. rounds.jsonl: <see cref="StatusFiles.ReadWellFormedRounds"/>.
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
}
