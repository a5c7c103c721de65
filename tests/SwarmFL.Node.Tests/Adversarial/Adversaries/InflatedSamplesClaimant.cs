using SwarmFL.Chain.Transactions;
using SwarmFL.Learning.Aggregation;

namespace SwarmFL.Node.Tests.Adversarial.Adversaries;

/// <summary>
/// Claims 10^15 samples for a valid model. The contract caps each commit's samples (the swarm's max-samples), so the
/// commit must revert with TooManySamples and the model must not reach any merge. It registers late, so round 1 opens
/// with the members that commit and later rounds show it cannot hold a round back either.
/// </summary>
public sealed class InflatedSamplesClaimant() : Adversary("inflated-samples")
{
    public const ulong ClaimedSamples = 1_000_000_000_000_000;

    /// <summary>The revert of its commit in each round it tried.</summary>
    public Dictionary<ulong, ContractRevertException> Refusals { get; } = [];

    public override bool RegistersLate => true;
    public override RejectionReason? ExpectedDrop => null;

    public override async Task PlayRoundAsync(AdversaryRound round, CancellationToken ct)
    {
        var model = round.Model.Initial(400 + round.Number).ContentId();
        try
        {
            await Chain.CommitAsync(round.Number, round.Cluster, model.DigestBytes(), ClaimedSamples, 0, ct);
            Commits[round.Number] = model;
            Note($"round {round.Number}: the commit of {ClaimedSamples} samples went through");
        }
        catch (ContractRevertException e)
        {
            Refusals[round.Number] = e;
            Note($"round {round.Number}: commit refused: {e.Reason}");
        }
    }
}
