using System.Text;
using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Tests.Aggregation;

/// <summary>Each input is validated on its own; a bad one is dropped with its reason and never vetoes the merge.</summary>
public class InputValidationTests
{
    private static readonly TensorLayout Layout = new([new TensorSpec("a.bias", [3]), new TensorSpec("a.weight", [2, 3])]);

    private static ModelWeights Model(float fill) => new(Layout, [Enumerable.Repeat(fill, 3).ToArray(), Enumerable.Repeat(fill, 6).ToArray()]);

    private static (ContentId Id, byte[] Model, long Samples) Input(ModelWeights w, long samples = 10)
    {
        var bytes = w.ToSafeTensors();
        return (ContentId.Of(bytes), bytes, samples);
    }

    private static (ContentId Id, byte[] Model, long Samples) Raw(byte[] bytes, long samples = 10) => (ContentId.Of(bytes), bytes, samples);

    public static TheoryData<string, float> NonFiniteValues => new() { { "NaN", float.NaN }, { "+inf", float.PositiveInfinity }, { "-inf", float.NegativeInfinity } };

    [Theory]
    [MemberData(nameof(NonFiniteValues))]
    public void A_non_finite_input_is_dropped_and_every_strategy_merges_the_rest(string _, float value)
    {
        var bad = Model(1);
        bad.Values[1][4] = value;
        foreach (var strategy in new[] { "fedavg", "median", "trimmed-mean:0.2", "krum:1", "multi-krum:1:2", "geometric-median" })
        {
            var honest = Enumerable.Range(1, 4).Select(i => Input(Model(i))).ToList();
            var report = AggregationPolicy.Of(strategy).MergeModels(Layout, [.. honest, Input(bad)], null);
            var expected = AggregationPolicy.Of(strategy).StrategyFor(honest.Count).Aggregate(new UpdateSet(Layout, honest.Select(h => ModelUpdate.InMemory(SafeTensors.Decode(h.Model, Layout), h.Samples))));
            Assert.True(expected.BitwiseEquals(report.Model), strategy);
            var drop = Assert.Single(report.Dropped);
            Assert.Equal(RejectionReason.NonFinite, drop.Reason);
            Assert.Equal(Input(bad).Id, drop.Id);
            Assert.Contains("a.weight", drop.Detail);
            Assert.Contains("element 4", drop.Detail);
        }
    }

    [Fact]
    public void Wrong_shape_wrong_dtype_truncated_and_oversized_files_are_dropped_with_their_reason()
    {
        var good = Model(2).ToSafeTensors();
        var transposed = new ModelWeights(new TensorLayout([new TensorSpec("a.bias", [3]), new TensorSpec("a.weight", [3, 2])]), [new float[3], new float[6]]).ToSafeTensors();
        var renamed = new ModelWeights(new TensorLayout([new TensorSpec("a.bias", [3]), new TensorSpec("a.weighs", [2, 3])]), [new float[3], new float[6]]).ToSafeTensors();
        var wrongDtype = ReplaceAscii(good, "\"F32\"", "\"I32\"");
        var truncated = good[..^4];
        var oversized = (byte[])[.. good, 0, 0, 0, 0];
        var inputs = new[] { Raw(good), Raw(transposed), Raw(renamed), Raw(wrongDtype), Raw(truncated), Raw(oversized), Raw(good, 0) };

        var report = AggregationPolicy.Of("fedavg").MergeModels(Layout, inputs, null);

        Assert.True(Model(2).BitwiseEquals(report.Model));
        var reasons = report.Dropped.Where(d => d.Reason != RejectionReason.BadSamples).ToDictionary(d => d.Id!.Value, d => d.Reason);
        Assert.Equal(RejectionReason.WrongLayout, reasons[ContentId.Of(transposed)]);
        Assert.Equal(RejectionReason.WrongLayout, reasons[ContentId.Of(renamed)]);
        Assert.Equal(RejectionReason.WrongLayout, reasons[ContentId.Of(wrongDtype)]);
        Assert.Equal(RejectionReason.WrongSize, reasons[ContentId.Of(truncated)]);
        Assert.Equal(RejectionReason.WrongSize, reasons[ContentId.Of(oversized)]);
        Assert.Contains(report.Dropped, d => d.Reason == RejectionReason.BadSamples);
        Assert.Equal(6, report.Dropped.Count);
    }

    [Fact]
    public void Krum_with_too_few_valid_inputs_lowers_f_instead_of_failing()
    {
        var policy = AggregationPolicy.Of("multi-krum:2:4");
        Assert.Equal("multi-krum:2:4", policy.StrategyFor(7).Name);
        Assert.Equal("multi-krum:1:4", policy.StrategyFor(5).Name);
        Assert.Equal("multi-krum:0:3", policy.StrategyFor(3).Name);
        Assert.Equal("median", policy.StrategyFor(2).Name);
        var report = AggregationPolicy.Of("krum:2").MergeModels(Layout, [Input(Model(1)), Input(Model(2))], null);
        Assert.Equal("median", report.Applied);
        Assert.All(report.Model.Values.SelectMany(v => v), x => Assert.Equal(1.5f, x));
    }

    [Fact]
    public void The_expected_size_is_the_canonical_files_length()
    {
        Assert.Equal(Model(0).ToSafeTensors().LongLength, SafeTensors.FileSize(Layout));
        var mnist = ModelSpec.Mnist2nn;
        Assert.Equal(ModelWeights.Initial(mnist, 1).ToSafeTensors().LongLength, SafeTensors.FileSize(mnist.Layout()));
    }

    [Fact]
    public void With_every_input_invalid_the_merge_fails_and_names_them()
    {
        var bad = Model(1);
        bad.Values[0][0] = float.NaN;
        var e = Assert.Throws<AggregationException>(() => AggregationPolicy.Of("median").MergeModels(Layout, [Input(bad), Raw(new byte[7])], null));
        Assert.Contains("no valid input remains", e.Message);
        Assert.Contains("non-finite", e.Message);
        Assert.Contains("wrong size", e.Message);
    }

    [Fact]
    public void The_norm_bound_drops_an_update_too_far_from_the_base()
    {
        var baseModel = Model(0);
        // ‖Model(x) − Model(0)‖ = |x|·√9 = 3|x|: a bound of 10 keeps 1, 2, 3 and drops 4 (distance 12).
        var policy = AggregationPolicy.Parse("fedavg;norm-bound=10");
        var report = policy.MergeModels(Layout, [Input(Model(1)), Input(Model(2)), Input(Model(3)), Input(Model(4))], baseModel);
        var drop = Assert.Single(report.Dropped);
        Assert.Equal(RejectionReason.NormBound, drop.Reason);
        Assert.Equal(Input(Model(4)).Id, drop.Id);
        Assert.All(report.Model.Values.SelectMany(v => v), x => Assert.Equal(2f, x));
        Assert.Throws<AggregationException>(() => policy.MergeModels(Layout, [Input(Model(1))], null));
    }

    [Fact]
    public void The_deviation_limit_is_part_of_the_policy_and_its_drops_are_reported()
    {
        var report = AggregationPolicy.Parse("median;deviation-limit=3").MergeModels(Layout,
            [Input(Model(1)), Input(Model(1.1f)), Input(Model(0.9f)), Input(Model(50))], Model(0));
        var drop = Assert.Single(report.Dropped);
        Assert.Equal(RejectionReason.Deviation, drop.Reason);
        Assert.Equal(Input(Model(50)).Id, drop.Id);
    }

    /// <summary>
    /// The bound: with a sample cap C, an input claiming any count n counts as min(n, C), so FedAvg moves the honest
    /// mean m by exactly C / (C + Σ honest samples) × ‖x − m‖ at most. Here C = 1 000 and 4 honest inputs of 500:
    /// a 10^15 claim moves the merge by at most 1/3 of the attacker's distance, instead of all of it.
    /// </summary>
    [Fact]
    public void An_inflated_sample_count_moves_the_merge_no_more_than_the_cap_allows()
    {
        const long cap = 1_000;
        var honest = Enumerable.Range(1, 4).Select(i => Input(Model(i), 500)).ToList();
        var attacker = Input(Model(100), 1_000_000_000_000_000);
        var honestMean = AggregationPolicy.Of("fedavg").MergeModels(Layout, honest, null).Model;
        var capped = AggregationPolicy.Parse($"fedavg;max-samples={cap}").MergeModels(Layout, [.. honest, attacker], null);
        var uncapped = AggregationPolicy.Of("fedavg").MergeModels(Layout, [.. honest, attacker], null);

        var attackerDistance = Distance(Model(100), honestMean);
        var bound = (double)cap / (cap + 4 * 500) * attackerDistance;
        Assert.InRange(Distance(capped.Model, honestMean), bound * 0.999, bound * 1.001);
        Assert.True(Distance(uncapped.Model, honestMean) > 0.99 * attackerDistance, "without the cap the claim takes over the merge");
        Assert.Equal(cap, capped.Merged.Single(u => u.Id == attacker.Id).Samples);
    }

    [Fact]
    public void The_policy_text_round_trips_and_refuses_unknown_keys()
    {
        var policy = AggregationPolicy.Parse("trimmed-mean:0.2;max-samples=60000;deviation-limit=3;norm-bound=25.5");
        Assert.Equal("trimmed-mean:0.2;deviation-limit=3;norm-bound=25.5;max-samples=60000", policy.Text);
        Assert.Equal(policy.Text, AggregationPolicy.Parse(policy.Text).Text);
        Assert.Equal("geometric-median:100", AggregationPolicy.Parse("geometric-median").Text);
        Assert.Throws<FormatException>(() => AggregationPolicy.Parse("fedavg;deviation=3"));
        Assert.Throws<FormatException>(() => AggregationPolicy.Parse("fedavg;max-samples=0"));
        Assert.Throws<FormatException>(() => AggregationPolicy.Parse("fedavg;norm-bound=-1"));
        Assert.Throws<FormatException>(() => AggregationPolicy.Parse("geomedian"));
    }

    private static double Distance(ModelWeights a, ModelWeights b) =>
        Math.Sqrt(a.Values.Zip(b.Values).Sum(p => Kernels.SquaredDistance(p.First, p.Second)));

    private static byte[] ReplaceAscii(byte[] file, string from, string to)
    {
        var text = Encoding.Latin1.GetString(file);
        var i = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(i >= 0);
        var result = (byte[])file.Clone();
        Encoding.Latin1.GetBytes(to).CopyTo(result, i);
        return result;
    }
}
