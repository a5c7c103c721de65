using SwarmFL.Learning.Aggregation;

namespace SwarmFL.Node.Tests.Adversarial.Adversaries;

/// <summary>
/// Commits a valid model but is its only holder, and serves it one byte per second after a truthful header. The leader
/// must give up at its fetch deadline and drop it as unavailable, in time to publish the merge.
/// </summary>
public sealed class TricklingHolder() : Adversary("trickle")
{
    public static readonly TimeSpan BytePause = TimeSpan.FromSeconds(1);

    public override RejectionReason? ExpectedDrop => RejectionReason.Unavailable;

    public override Task PlayRoundAsync(AdversaryRound round, CancellationToken ct) =>
        CommitAndServeAsync(round, round.Model.Initial(300 + round.Number).ToSafeTensors(), 500, ct, BytePause);
}
