using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Hosting;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Tests;

/// <summary>The swarm's accuracy is the sample-weighted mean of its members' validation reports (issue #7).</summary>
public sealed class SwarmValidationTests
{
    private static CommittedModel Commit(int member, ulong samples, uint metricPpm) =>
        new(3, 0, NodeKey.FromPrivateKey(Enumerable.Repeat((byte)(member + 1), 32).ToArray()).Address,
            ContentId.Of([(byte)member]), samples, metricPpm);

    [Fact]
    public void Commits_are_weighted_by_their_samples_not_counted_equally()
    {
        // 3000 samples at 90 % and 1000 at 50 %: the weighted mean is 80 %, the plain mean would be 70 %.
        var validation = SwarmValidation.FromCommits([Commit(1, 3000, 900_000), Commit(2, 1000, 500_000)])!;

        Assert.Equal(0.8, validation.Accuracy, 12);
        Assert.Equal(2, validation.Reports);
        Assert.Equal(4000UL, validation.Samples);
    }

    [Fact]
    public void Nothing_to_weigh_gives_no_accuracy_and_an_empty_member_cannot_make_it_undefined()
    {
        Assert.Null(SwarmValidation.FromCommits([]));
        Assert.Null(SwarmValidation.Of([new ValidationReport(double.NaN, 10)]));
        Assert.Equal(0.25, SwarmValidation.Of([new ValidationReport(0.25, 0)])!.Accuracy, 12);
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property The_mean_lies_between_the_lowest_and_highest_report_and_ignores_report_order() =>
        Prop.ForAll(
            Gen.Choose(1, 12).SelectMany(n => Gen.ListOf(Gen.Zip(Gen.Choose(0, 1_000_000), Gen.Choose(1, 100_000)), n)).ToArbitrary(),
            reports =>
            {
                var list = reports.Select(r => new ValidationReport(r.Item1 / 1e6, (ulong)r.Item2)).ToList();
                var mean = SwarmValidation.Of(list)!.Accuracy;
                var reversed = SwarmValidation.Of(Enumerable.Reverse(list))!.Accuracy;
                return mean >= list.Min(r => r.Accuracy) - 1e-12 && mean <= list.Max(r => r.Accuracy) + 1e-12 && Math.Abs(mean - reversed) < 1e-12;
            });

    [Fact]
    public void The_live_board_weighs_gossiped_reports_per_model_and_a_peer_that_reports_again_replaces_its_report()
    {
        var board = new ValidationBoard();
        var model = ContentId.Of([1]);
        board.Note(model, "a", 0.9, 3000);
        board.Note(model, "b", 0.1, 1000);
        board.Note(model, "b", 0.5, 1000);
        board.Note(ContentId.Of([2]), "c", 0.0, 100_000);

        Assert.Equal(0.8, board.For(model)!.Accuracy, 12);
        Assert.Equal(2, board.For(model)!.Reports);
        Assert.Null(board.For(ContentId.Of([3])));
    }
}
