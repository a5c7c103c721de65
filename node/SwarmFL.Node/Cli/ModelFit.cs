using SwarmFL.Learning.Data;
using SwarmFL.Learning.Models;

namespace SwarmFL.Node.Cli;

/// <summary>Whether a model can train on a dataset, checked before any training (by `train`, `eval`, `simulate` and `devnet up`).</summary>
public static class ModelFit
{
    /// <summary>
    /// One dry forward pass on the data's sample shape, then the output against the task: logits for at least the
    /// data's classes, or one value per sample for regression. Throws a <see cref="UserFacingException"/> (exit 3).
    /// </summary>
    public static void Require(ModelDefinition model, Dataset data)
    {
        IReadOnlyList<int> output;
        try { output = model.DryRun(data.SampleShape); }
        catch (ModelFormatException e) { throw new UserFacingException($"{e.Message}; pass a model that takes the data's samples (or other data flags)", ExitCodes.BadInput, e); }
        var shape = $"[{string.Join(", ", output)}]";
        if (data.IsClassification && (output.Count != 1 || output[0] < data.ClassNames.Count))
            throw new UserFacingException($"model {model.Name} outputs {shape} per sample; the data has {data.ClassNames.Count} classes, so it needs logits [{data.ClassNames.Count}] (or more)", ExitCodes.BadInput);
        if (!data.IsClassification && !(output.Count == 0 || output is [1]))
            throw new UserFacingException($"model {model.Name} outputs {shape} per sample; a regression model outputs one value ([1] or a scalar)", ExitCodes.BadInput);
    }
}
