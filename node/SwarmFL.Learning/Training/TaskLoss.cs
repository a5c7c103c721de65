using SwarmFL.Learning.Data;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Training;

/// <summary>
/// The training loss of each task: cross-entropy of logits [B, classes] against int64 labels (binary tasks use two
/// logits); mean squared error of outputs [B] or [B, 1] against float targets.
/// </summary>
public static class TaskLoss
{
    public static Tensor Of(LearningTaskKind task, Tensor output, Tensor target, nn.Reduction reduction = nn.Reduction.Mean) => task switch
    {
        LearningTaskKind.Classification => nn.functional.cross_entropy(output, target, reduction: reduction),
        _ => nn.functional.mse_loss(RegressionOutput(output), target, reduction),
    };

    /// <summary>A regression model's output as [B]: [B] as it is, [B, 1] squeezed; anything else is refused.</summary>
    public static Tensor RegressionOutput(Tensor output) => output.dim() switch
    {
        1 => output,
        2 when output.shape[1] == 1 => output.reshape(-1),
        _ => throw new ArgumentException($"a regression model must output [batch] or [batch, 1], this one outputs [{string.Join(", ", output.shape)}]"),
    };
}
