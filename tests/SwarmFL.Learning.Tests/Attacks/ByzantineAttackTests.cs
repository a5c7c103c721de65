using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.Attacks;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Simulation;
using SwarmFL.Learning.Tests.Data;
using SwarmFL.Learning.Training;

namespace SwarmFL.Learning.Tests.Attacks;

public class ByzantineAttackTests
{
    private static readonly TensorLayout Layout = new([new TensorSpec("a.bias", [2]), new TensorSpec("a.weight", [2, 2])]);
    private static ModelWeights Weights(params float[] v) => new(Layout, [v[..2], v[2..]]);
    private static readonly ModelWeights Global = Weights(1, 1, 1, 1, 1, 1);
    private static readonly ModelWeights Honest = Weights(2, 0, 1, 3, 1, 1.5f);

    [Theory]
    [InlineData("sign-flip:0.2", AttackKind.SignFlip, 0.2)]
    [InlineData("Scaled:0.1", AttackKind.Scaled, 0.1)]
    [InlineData("nan:0", AttackKind.NaN, 0.0)]
    [InlineData("inflated-samples:0.5", AttackKind.InflatedSamples, 0.5)]
    public void The_attack_text_parses_and_round_trips(string text, AttackKind kind, double fraction)
    {
        var attack = ByzantineAttack.Parse(text);
        Assert.Equal(new ByzantineAttack(kind, fraction), attack);
        Assert.Equal(attack, ByzantineAttack.Parse(attack.ToString()));
    }

    [Theory]
    [InlineData("sign-flip")]
    [InlineData("sign-flip:1")]
    [InlineData("sign-flip:-0.1")]
    [InlineData("flip:0.1")]
    [InlineData("nan:x")]
    public void A_malformed_attack_is_refused_with_the_syntax(string text)
    {
        var e = Assert.Throws<FormatException>(() => ByzantineAttack.Parse(text));
        Assert.Contains("KIND:FRACTION", e.Message + ByzantineAttack.Help);
        Assert.Contains(text.Split(':')[0], e.Message);
    }

    [Fact]
    public void Each_kind_corrupts_the_update_as_documented()
    {
        var (flipped, s1) = new ByzantineAttack(AttackKind.SignFlip, 0.1).Corrupt(Global, Honest, 600);
        Assert.Equal([-3f, 5f], flipped.Values[0]); // 1 − 4 × (2 − 1), 1 − 4 × (0 − 1)
        Assert.Equal([1f, -7f, 1f, -1f], flipped.Values[1]);
        Assert.Equal(600, s1);

        var (scaled, _) = new ByzantineAttack(AttackKind.Scaled, 0.1).Corrupt(Global, Honest, 600);
        Assert.Equal([21f, -19f], scaled.Values[0]);
        Assert.Equal([1f, 41f, 1f, 11f], scaled.Values[1]);

        var (nan, _) = new ByzantineAttack(AttackKind.NaN, 0.1).Corrupt(Global, Honest, 600);
        Assert.True(float.IsNaN(nan.Values[0][0]));
        Assert.Equal(2f, Honest.Values[0][0]); // the honest model is left as it was

        var (inflated, claimed) = new ByzantineAttack(AttackKind.InflatedSamples, 0.1).Corrupt(Global, Honest, 600);
        Assert.Equal(1_000_000_000_000_000, claimed);
        Assert.True(inflated.BitwiseEquals(flipped));
    }

    [Fact]
    public void The_attackers_are_a_seeded_fixed_share_of_the_clients()
    {
        var attack = new ByzantineAttack(AttackKind.SignFlip, 0.2);
        var picked = attack.PickAttackers(10, 7);
        Assert.Equal(2, picked.Count);
        Assert.All(picked, c => Assert.InRange(c, 0, 9));
        Assert.Equal(picked.Order(), attack.PickAttackers(10, 7).Order());
        Assert.Empty(new ByzantineAttack(AttackKind.SignFlip, 0).PickAttackers(10, 7));
        Assert.Equal(1, new ByzantineAttack(AttackKind.SignFlip, 0.1).AttackerCount(10));
        Assert.Equal(1, new ByzantineAttack(AttackKind.SignFlip, 0.05).AttackerCount(10)); // half a client rounds up
    }

    private static SimulationOptions Small => new()
    {
        Spec = ModelSpec.Mnist2nn, Clients = 5, Fraction = 1, Rounds = 2, Partition = "iid", Seed = 3,
        Training = new TrainingOptions { Epochs = 1, BatchSize = 10, LearningRate = 0.05, Threads = 1 },
    };

    [Fact]
    public void In_the_simulation_NaN_attackers_are_dropped_every_round_and_the_honest_clients_still_learn()
    {
        var train = MnistTestData.Train.Take(1500);
        var test = MnistTestData.Test.Take(300);
        var attacked = new FedAvgSimulation().Run(train, test, Small with { Attack = new ByzantineAttack(AttackKind.NaN, 0.2) });
        Assert.All(attacked.Rounds, r => Assert.Equal((1, 1), (r.Attackers, r.Dropped)));
        Assert.True(attacked.Model.AllFinite());
        Assert.True(attacked.Rounds[^1].Test.Accuracy > 0.6, attacked.Rounds[^1].Test.ToString());
    }

    [Fact]
    public void In_the_simulation_the_sample_cap_bounds_an_inflated_claim_and_median_resists_it()
    {
        var train = MnistTestData.Train.Take(1500);
        var test = MnistTestData.Test.Take(300);
        var attack = new ByzantineAttack(AttackKind.InflatedSamples, 0.2);
        var fedavg = new FedAvgSimulation().Run(train, test, Small with { Attack = attack });
        var median = new FedAvgSimulation().Run(train, test, Small with { Attack = attack, Policy = AggregationPolicy.Of("median") with { MaxSamples = 1000 } });
        var honest = new FedAvgSimulation().Run(train, test, Small);
        Assert.All(fedavg.Rounds.Concat(median.Rounds), r => Assert.Equal((1, 0), (r.Attackers, r.Dropped)));
        // Uncapped, 10^15 claimed samples make FedAvg's merge the attacker's model: far worse than honest FedAvg.
        Assert.True(fedavg.Rounds[^1].Test.Accuracy < honest.Rounds[^1].Test.Accuracy - 0.2,
            $"attacked fedavg {fedavg.Rounds[^1].Test}, honest {honest.Rounds[^1].Test}");
        Assert.True(median.Rounds[^1].Test.Accuracy > honest.Rounds[^1].Test.Accuracy - 0.1,
            $"attacked median {median.Rounds[^1].Test}, honest fedavg {honest.Rounds[^1].Test}");
    }

    [Fact]
    public void Without_an_attack_or_a_policy_the_simulation_merges_with_the_bare_strategy_as_before()
    {
        Assert.Null(Small.EffectivePolicy);
        Assert.NotNull((Small with { Attack = new ByzantineAttack(AttackKind.NaN, 0.2) }).EffectivePolicy);
    }
}
