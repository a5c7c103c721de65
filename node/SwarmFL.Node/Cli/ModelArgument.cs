using SwarmFL.Learning.Models;

namespace SwarmFL.Node.Cli;

/// <summary>The one reading of <c>--model NAME|FILE</c> for every command: a built-in name, or a JSON or TorchScript model file.</summary>
public static class ModelArgument
{
    public static string Help =>
        $"The model: a built-in name ({ModelResolver.BuiltInNames}) or a model file, swarmfl-model/1 JSON or TorchScript (see docs/models.md)";

    /// <summary>The model, or a <see cref="UserFacingException"/> (exit 3) naming the file, layer and field at fault.</summary>
    public static ModelDefinition Resolve(string nameOrPath)
    {
        try { return ModelResolver.Resolve(nameOrPath); }
        catch (ModelFormatException e) { throw new UserFacingException(e.Message.StartsWith("--model", StringComparison.Ordinal) ? e.Message : $"--model {e.Message}", ExitCodes.BadInput, e); }
    }
}
