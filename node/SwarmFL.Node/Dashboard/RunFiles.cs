using System.Text.Json;
using System.Text.Json.Serialization;
using SwarmFL.Swarm.Hosting;
using SwarmFL.Swarm.Storage;

namespace SwarmFL.Node.Dashboard;

/// <summary>The chain endpoint of a run, written once the swarm exists, so a dashboard can follow its events.</summary>
public sealed record RunSwarmFile(string RpcUrl, string Contract);

/// <summary>The chain's events of a finished run, kept because the devnet chain goes away with the run.</summary>
public sealed record RunChainEventsFile(SwarmInfoView? Swarm, IReadOnlyList<ChainEventView> Events);

/// <summary>
/// The files in a devnet run directory that the dashboard reads besides the nodes' own (nodes/*/data/status.json and
/// rounds.jsonl) and the launcher's rounds.json: the one owner of their names. The launcher writes them as the run goes
/// (docs/dashboard.md).
/// </summary>
public static class RunFiles
{
    public const string Swarm = "swarm.json";
    public const string ChainEvents = "chain-events.json";
    public const string Audit = "audit.json";
    public const string Baselines = "baselines.json";
    public const string Rounds = "rounds.json";
    public const string Screenshot = "dashboard.png";

    private static readonly JsonSerializerOptions Json = new(StatusFiles.Json)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static void Write<T>(string runDirectory, string name, T value) =>
        AtomicFile.Write(Path.Combine(runDirectory, name), JsonSerializer.SerializeToUtf8Bytes(value, Json));

    /// <summary>The file's content, or null when it is missing or not (yet) what it should be.</summary>
    public static T? Read<T>(string runDirectory, string name) where T : class
    {
        var path = Path.Combine(runDirectory, name);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}
