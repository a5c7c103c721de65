using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.Data.Scaling;

namespace SwarmFL.Learning.Tests.Data;

public class FeatureScalingTests
{
    private static Dataset Tabular(float[] x, int features) =>
        Dataset.Regression(x, [features], new float[x.Length / features]);

    [Fact]
    public void StandardScalingIsPerFeatureForTablesAndPerChannelForImages()
    {
        var table = Tabular([1, 10, 3, 30, 5, 50], 2);
        var s = FeatureScaling.Fit(FeatureScaling.Standard, table);
        Assert.Equal([3.0, 30.0], s.Shift);
        Assert.Equal([(double)(float)Math.Sqrt(8 / 3.0), (double)(float)Math.Sqrt(800 / 3.0)], s.Scale);
        var scaled = s.Apply(table);
        Assert.Equal(0f, scaled.Features[2], 1e-6f);
        Assert.Equal(0f, scaled.Features[3], 1e-6f);
        Assert.Equal(table.Features, new float[] { 1, 10, 3, 30, 5, 50 });

        // Two 2-channel 1×2 images: channel 0 holds 0,2 | 4,6 and channel 1 holds 10 everywhere (std 0 → scale 1).
        var images = Dataset.Classification([0, 2, 10, 10, 4, 6, 10, 10], [2, 1, 2], [0, 1], ["a", "b"]);
        var c = FeatureScaling.Fit(FeatureScaling.MinMax, images);
        Assert.Equal([0.0, 10.0], c.Shift);
        Assert.Equal([6.0, 1.0], c.Scale);
        Assert.Equal([0f, 2 / 6f, 0, 0, 4 / 6f, 1, 0, 0], c.Apply(images).Features);
    }

    [Fact]
    public void PinnedConstantsThatDoNotFitAreRefused()
    {
        var shape = new[] { 3 };
        Assert.Throws<FormatException>(() => new FeatureScaling { Kind = "standard", Shift = [0, 0], Scale = [1, 1] }.Validate(shape));
        Assert.Throws<FormatException>(() => new FeatureScaling { Kind = "standard", Shift = [0, 0, 0], Scale = [1, 0, 1] }.Validate(shape));
        Assert.Throws<FormatException>(() => new FeatureScaling { Kind = "zscore" }.Validate(shape));
        Assert.Throws<FormatException>(() => FeatureScaling.Fit("zscore", Tabular([1], 1)));
        Assert.Same(FeatureScaling.Identity, FeatureScaling.Fit("none", Tabular([1], 1)));
    }

    /// <summary>On the data it was fitted on, standard scaling gives every feature mean ≈ 0 and std ≈ 1 (or 0 if constant).</summary>
    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property FittedStandardScalingCentresAndNormalises() =>
        Prop.ForAll(Gen.Choose(1, 5).SelectMany(f => Gen.Choose(2, 40).SelectMany(n =>
                Gen.ArrayOf(Gen.Choose(-1000, 1000).Select(v => v / 7f), n * f).Select(x => (f, x)))).ToArbitrary(),
            t =>
            {
                var (f, x) = t;
                var data = Tabular(x, f);
                var scaled = FeatureScaling.Fit(FeatureScaling.Standard, data).Apply(data);
                for (var g = 0; g < f; g++)
                {
                    var column = Enumerable.Range(0, data.Count).Select(i => (double)scaled.Features[i * f + g]).ToArray();
                    var mean = column.Average();
                    var std = Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Average());
                    if (Math.Abs(mean) > 1e-4 || !(Math.Abs(std - 1) < 1e-4 || std < 1e-6)) return false;
                }
                return true;
            });
}
