using SwarmFL.Learning.Data;
using Xunit.Abstractions;

namespace SwarmFL.Learning.Tests.Data;

public class PartitionerTests(ITestOutputHelper output)
{
    private const int Clients = 100;

    private int[][] HistogramsOf(string scheme, ulong seed = 1)
    {
        var labels = MnistTestData.Train.Labels;
        var parts = Partitioner.Parse(scheme).Split(labels, Clients, seed);
        AssertDisjointAndComplete(parts, labels.Length);
        var histograms = parts.Select(p => { var h = new int[10]; foreach (var i in p) h[labels[i]]++; return h; }).ToArray();
        output.WriteLine($"{scheme}: label histograms of the first 5 of {Clients} clients");
        for (var c = 0; c < 5; c++) output.WriteLine($"  client {c,2}: [{string.Join(" ", histograms[c].Select(x => x.ToString().PadLeft(4)))}] = {parts[c].Length}");
        return histograms;
    }

    private static void AssertDisjointAndComplete(int[][] parts, int count)
    {
        var seen = new bool[count];
        foreach (var part in parts)
        {
            Assert.True(part.SequenceEqual(part.Order()), "indices are listed in ascending order");
            foreach (var i in part)
            {
                Assert.False(seen[i], $"sample {i} is in two parts");
                seen[i] = true;
            }
        }
        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void IidGivesEqualSizesAndEveryClientSeesEveryDigit()
    {
        var h = HistogramsOf("iid");
        Assert.All(h, x => Assert.Equal(600, x.Sum()));
        Assert.All(h, x => Assert.All(x, count => Assert.InRange(count, 20, 110)));
    }

    [Fact]
    public void TwoShardsGiveEachClientAtMostFourDigitsAndMostTwo()
    {
        var h = HistogramsOf("shards:2");
        Assert.All(h, x => Assert.Equal(600, x.Sum()));
        var digits = h.Select(x => x.Count(c => c > 0)).ToArray();
        Assert.All(digits, d => Assert.InRange(d, 1, 4));
        Assert.True(digits.Count(d => d <= 2) >= 80, $"clients with ≤2 digits: {digits.Count(d => d <= 2)}");
    }

    [Fact]
    public void DirichletWithSmallAlphaIsSkewedAndLargeAlphaIsNot()
    {
        static double MeanDominantShare(int[][] h) => h.Where(x => x.Sum() > 0).Average(x => (double)x.Max() / x.Sum());
        var skewed = MeanDominantShare(HistogramsOf("dirichlet:0.1"));
        var even = MeanDominantShare(HistogramsOf("dirichlet:100"));
        output.WriteLine($"mean dominant-label share: α=0.1 → {skewed:F3}, α=100 → {even:F3}");
        Assert.True(skewed > 0.5, $"α=0.1 dominant share {skewed}");
        Assert.True(even < 0.2, $"α=100 dominant share {even}");
    }

    [Theory]
    [InlineData("iid")]
    [InlineData("shards:2")]
    [InlineData("dirichlet:0.5")]
    public void SameSeedSamePartitionOtherSeedOtherPartition(string scheme)
    {
        var labels = MnistTestData.Test.Labels;
        var p = Partitioner.Parse(scheme);
        var a = p.Split(labels, 10, 5);
        var b = p.Split(labels, 10, 5);
        var c = p.Split(labels, 10, 6);
        Assert.True(a.Zip(b).All(x => x.First.SequenceEqual(x.Second)));
        Assert.False(a.Zip(c).All(x => x.First.SequenceEqual(x.Second)));
    }

    [Theory]
    [InlineData("random")]
    [InlineData("shards:0")]
    [InlineData("dirichlet:-1")]
    [InlineData("shards")]
    public void BadSchemesAreRefused(string text) => Assert.Throws<FormatException>(() => Partitioner.Parse(text));
}
