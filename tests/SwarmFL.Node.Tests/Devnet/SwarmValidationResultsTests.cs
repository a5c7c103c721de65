using SwarmFL.Crypto;
using SwarmFL.Node.Devnet;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Tests.Devnet;

/// <summary>How the run results show the swarm's accuracy per round: the sample-weighted mean of the validation reports.</summary>
public sealed class SwarmValidationResultsTests
{
    private static RoundResultFile Record(ulong round, ulong samples, double? ownReport, SwarmValidationFigures? chain = null) =>
        new() { Round = round, Cluster = 0, Role = "Member", Samples = samples, SemiGlobalModel = $"bafkreisemi{round}", SemiGlobalHeldOutAccuracy = ownReport, BaseSwarmValidation = chain };

    [Fact]
    public void A_round_takes_the_chain_figure_of_the_next_rounds_commits_and_the_last_round_the_nodes_weighted_reports()
    {
        // Round 2's commits carry the members' reports on round 1's merged model; round 2 is the last round.
        var chainFigure = new SwarmValidationFigures(0.91, 2, 4000, "chain");
        var a = new[] { Record(1, 3000, 0.90), Record(2, 3000, 0.90, chainFigure) };
        var b = new[] { Record(1, 1000, 0.95), Record(2, 1000, 0.50, chainFigure) };

        var results = RunResults.Merge([("node-0", null, a), ("node-1", null, b)]);

        Assert.Equal(chainFigure, results.Rounds[0].SwarmValidation);
        var last = results.Rounds[1].SwarmValidation!;
        Assert.Equal("reports", last.Source);
        Assert.Equal((0.90 * 3000 + 0.50 * 1000) / 4000, last.Accuracy, 12);
        Assert.Equal(2, last.Reports);
    }

    [Fact]
    public void A_round_nobody_validated_has_no_swarm_accuracy()
    {
        var results = RunResults.Merge([("node-0", null, [Record(1, 100, null)])]);
        Assert.Null(results.Rounds[0].SwarmValidation);
    }

    [Fact]
    public void Test_scores_fill_only_what_the_nodes_did_not_score_and_only_real_model_ids()
    {
        var model = ContentId.Of([7]);
        var record = new RoundResultFile { Round = 1, BaseModel = "not-a-cid", LocalModel = model.ToString(), LocalTestAccuracy = null, SemiGlobalModel = model.ToString(), SemiGlobalTestAccuracy = 0.3 };
        var asked = new List<ContentId>();

        var filled = TestSetScores.Fill([record], id => { asked.Add(id); return 0.7; }).Single();

        Assert.Null(filled.BaseTestAccuracy);
        Assert.Equal(0.7, filled.LocalTestAccuracy);
        Assert.Equal(0.3, filled.SemiGlobalTestAccuracy);
        Assert.Equal([model], asked);
    }
}
