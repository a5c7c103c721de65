using SwarmFL.Learning.Aggregation;

namespace SwarmFL.Node.Tests.Adversarial.Adversaries;

/// <summary>Commits a model of the right layout with one NaN in it, and serves it promptly: it must be dropped as non-finite.</summary>
public sealed class NaNCommitter() : Adversary("nan")
{
    public override RejectionReason? ExpectedDrop => RejectionReason.NonFinite;

    public override Task PlayRoundAsync(AdversaryRound round, CancellationToken ct)
    {
        var weights = round.Model.Initial(100 + round.Number);
        weights.Values[^1][0] = float.NaN;
        return CommitAndServeAsync(round, weights.ToSafeTensors(), 500, ct);
    }
}
