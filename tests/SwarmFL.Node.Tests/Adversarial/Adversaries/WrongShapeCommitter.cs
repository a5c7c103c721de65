using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Node.Tests.Adversarial.Adversaries;

/// <summary>
/// Commits a model whose first matrix is transposed: the same tensor names, values and exact file size as the swarm's
/// model (so no size limit stops it), but the wrong shape. It must be dropped for its layout.
/// </summary>
public sealed class WrongShapeCommitter() : Adversary("wrong-shape")
{
    public override RejectionReason? ExpectedDrop => RejectionReason.WrongLayout;

    public override Task PlayRoundAsync(AdversaryRound round, CancellationToken ct)
    {
        var honest = round.Model.Initial(200 + round.Number);
        var matrix = honest.Layout.Tensors.First(t => t.Shape.Count == 2 && t.Shape[0] != t.Shape[1]);
        var layout = new TensorLayout(honest.Layout.Tensors.Select(t => t == matrix ? t with { Shape = [t.Shape[1], t.Shape[0]] } : t).ToArray());
        var bytes = new ModelWeights(layout, honest.Values).ToSafeTensors();
        if (bytes.Length != honest.ToSafeTensors().Length)
            throw new InvalidOperationException($"the transposed {matrix.Name} changed the file size ({bytes.Length} bytes): it would test the size limit, not the layout");
        return CommitAndServeAsync(round, bytes, 500, ct);
    }
}
