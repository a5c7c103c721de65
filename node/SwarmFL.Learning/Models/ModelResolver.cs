using SwarmFL.Learning.Models.BuiltIn;
using SwarmFL.Learning.Models.Declarative;
using SwarmFL.Learning.Models.TorchScript;

namespace SwarmFL.Learning.Models;

/// <summary>
/// Turns what a user or a peer gives into a <see cref="ModelDefinition"/>: a built-in name, a local file (JSON or
/// TorchScript, told apart by their first bytes), or the bytes of a model file fetched from a peer.
/// </summary>
public static class ModelResolver
{
    public static string BuiltInNames => string.Join(", ", BuiltInModel.All.Select(m => m.Name));

    /// <summary>A built-in name or a local model file. A local TorchScript file is trusted: the user pointed at it.</summary>
    public static ModelDefinition Resolve(string nameOrPath)
    {
        if (BuiltInModel.ByName(nameOrPath) is { } builtIn) return builtIn;
        if (!File.Exists(nameOrPath))
            throw new ModelFormatException($"--model: '{nameOrPath}' is neither a built-in model ({BuiltInNames}) nor a model file (a swarmfl-model/1 JSON file or a TorchScript file)");
        return Load(nameOrPath);
    }

    /// <summary>Reads a model file by its content.</summary>
    public static ModelDefinition Load(string path)
    {
        byte[] head = new byte[4];
        try
        {
            using var stream = File.OpenRead(path);
            _ = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the model file: {e.Message}", e);
        }
        if (TorchScriptModel.LooksLikeTorchScript(head)) return TorchScriptModel.Load(path);
        var bytes = File.ReadAllBytes(path);
        return FromJson(bytes, path);
    }

    /// <summary>
    /// A model file fetched from a peer, already checked against the pinned hash, stored at <paramref name="path"/>.
    /// A TorchScript file is code: it is loaded only when <paramref name="trusted"/> (the user passed --trust-model or
    /// holds a local file with the same hash); otherwise this refuses, saying so.
    /// </summary>
    public static ModelDefinition FromFetched(string path, bool trusted)
    {
        var bytes = File.ReadAllBytes(path);
        if (TorchScriptModel.LooksLikeTorchScript(bytes))
        {
            if (!trusted)
                throw new UntrustedModelException($"the swarm's model is a TorchScript file ({path}), which is code: this node loads a fetched one only with --trust-model, or when --model names a local file with the same hash");
            return TorchScriptModel.Load(path);
        }
        return FromJson(bytes, path);
    }

    /// <summary>A JSON model file: a swarmfl-model/1 declarative model, or a built-in spec's canonical JSON (what built-in swarms serve).</summary>
    private static ModelDefinition FromJson(byte[] bytes, string what)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        if (text.Contains("\"architecture\"", StringComparison.Ordinal) && !text.Contains("\"format\"", StringComparison.Ordinal))
        {
            try { return BuiltInModel.Of(ModelSpec.FromJson(text)); }
            catch (FormatException e) { throw new ModelFormatException($"{what}: {e.Message}", e); }
        }
        return DeclarativeModel.Parse(bytes, what);
    }
}

/// <summary>A fetched TorchScript model the user has not trusted.</summary>
public sealed class UntrustedModelException(string message) : Exception(message);
