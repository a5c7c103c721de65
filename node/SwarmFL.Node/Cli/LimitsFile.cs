using System.CommandLine;
using System.Text.Json;
using SwarmFL.P2P.Resources;

namespace SwarmFL.Node.Cli;

/// <summary>
/// <c>--limits FILE</c>: a JSON object whose properties override <see cref="ResourceLimits"/>'s defaults, e.g.
/// <c>{ "maxPendingHandshakesPerIp": 8, "streamIdleTimeout": "00:02:00" }</c>. Unknown names are an error, so a
/// typo never silently leaves a default in place.
/// </summary>
public static class LimitsFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static Option<string?> CreateOption() => new("--limits")
    {
        Description = "JSON file overriding the network resource limits (docs/resource-limits.md lists them and their defaults)",
    };

    /// <summary>Writes <paramref name="limits"/> in the form <see cref="Load"/> reads (every property, camelCase).</summary>
    public static void Save(ResourceLimits limits, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(limits, new JsonSerializerOptions(Json) { WriteIndented = true }) + "\n");

    public static ResourceLimits Load(string? path)
    {
        if (string.IsNullOrEmpty(path)) return new ResourceLimits();
        try
        {
            var limits = JsonSerializer.Deserialize<ResourceLimits>(File.ReadAllText(path), Json)
                ?? throw new UserFacingException($"--limits {path}: expected a JSON object");
            return limits.Validated();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"--limits {path}: cannot read it: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new UserFacingException($"--limits {path}: {e.Message} (property names are camelCase, durations \"hh:mm:ss\")");
        }
        catch (ArgumentException e)
        {
            throw new UserFacingException($"--limits {path}: {e.Message}");
        }
    }
}
