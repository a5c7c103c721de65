using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Metrics;
using SwarmFL.TestSupport;

namespace SwarmFL.Learning.Tests.Metrics;

/// <summary>
/// The metrics against independent references: fixed cases whose values scikit-learn 1.2.1 (Debian's python3-sklearn)
/// computed, and random cases computed at test time by NumPy with other algorithms (confusion matrices, all-pairs AUC).
/// </summary>
public class MetricsTests
{
    private const double Tolerance = 1e-12;

    // sklearn.metrics: accuracy_score, f1_score(average='macro'), roc_auc_score on these arrays.
    private static readonly int[] Truth = [0, 1, 2, 2, 1, 0, 1, 2, 0, 0];
    private static readonly int[] Predicted = [0, 2, 2, 2, 1, 0, 0, 1, 0, 1];
    private static readonly int[] BinaryTruth = [0, 0, 1, 1, 0, 1, 1, 0];
    private static readonly double[] BinaryScores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.05];

    [Fact]
    public void ClassificationMatchesScikitLearn()
    {
        Assert.Equal(0.6, ClassificationMetrics.Accuracy(Truth, Predicted), Tolerance);
        Assert.Equal(0.5833333333333334, ClassificationMetrics.MacroF1(Truth, Predicted), Tolerance);
        Assert.Equal(0.75, ClassificationMetrics.RocAuc(BinaryTruth, BinaryScores)!.Value, Tolerance);
        // A class that only the predictions name counts, with F1 0 (zero_division=0): f1_score([0,0],[0,1],'macro') = 0.3333…
        Assert.Equal(1 / 3.0, ClassificationMetrics.MacroF1([0, 0], [0, 1]), Tolerance);
        Assert.Null(ClassificationMetrics.RocAuc([1, 1], [0.2, 0.3]));
    }

    [Fact]
    public void RegressionMatchesScikitLearn()
    {
        double[] truth = [3, -0.5, 2, 7], predicted = [2.5, 0.0, 2, 8];
        Assert.Equal(0.375, RegressionMetrics.MeanSquaredError(truth, predicted), Tolerance);
        Assert.Equal(0.5, RegressionMetrics.MeanAbsoluteError(truth, predicted), Tolerance);
        Assert.Equal(0.9486081370449679, RegressionMetrics.R2(truth, predicted), Tolerance);
        Assert.Equal(1, RegressionMetrics.R2([2, 2], [2, 2]));
        Assert.Equal(0, RegressionMetrics.R2([2, 2], [2, 3]));
    }

    [Fact]
    public void RandomCasesMatchNumpy()
    {
        var script = """
            import json, numpy as np
            rng = np.random.default_rng(7)
            out = []
            for case in range(20):
                n, k = int(rng.integers(5, 300)), int(rng.integers(2, 6))
                t, p = rng.integers(0, k, n), rng.integers(0, k, n)
                cm = np.zeros((k, k)); np.add.at(cm, (t, p), 1)
                present = [c for c in range(k) if cm[c].sum() + cm[:, c].sum() > 0]
                f1 = np.mean([2 * cm[c, c] / (cm[c].sum() + cm[:, c].sum()) for c in present])
                bt, s = rng.integers(0, 2, n), np.round(rng.random(n), 1)
                pos, neg = s[bt == 1], s[bt == 0]
                auc = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
                y, yh = rng.normal(size=n), rng.normal(size=n)
                out.append(dict(t=t.tolist(), p=p.tolist(), acc=float((t == p).mean()), f1=float(f1), bt=bt.tolist(), s=s.tolist(), auc=float(auc),
                                y=y.tolist(), yh=yh.tolist(), mse=float(((y - yh) ** 2).mean()), mae=float(np.abs(y - yh).mean()),
                                r2=float(1 - ((y - yh) ** 2).sum() / ((y - y.mean()) ** 2).sum())))
            print(json.dumps(out))
            """;
        var result = ProcessRunner.RunAsync(Python.WithNumpy(), ["-c", script]).GetAwaiter().GetResult();
        Assert.True(result.ExitCode == 0, result.StdErr);
        var cases = JsonDocument.Parse(result.StdOut).RootElement.EnumerateArray().ToArray();
        Assert.Equal(20, cases.Length);
        foreach (var c in cases)
        {
            int[] Ints(string name) => c.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            double[] Doubles(string name) => c.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double Value(string name) => c.GetProperty(name).GetDouble();
            Assert.Equal(Value("acc"), ClassificationMetrics.Accuracy(Ints("t"), Ints("p")), 1e-12);
            Assert.Equal(Value("f1"), ClassificationMetrics.MacroF1(Ints("t"), Ints("p")), 1e-12);
            Assert.Equal(Value("auc"), ClassificationMetrics.RocAuc(Ints("bt"), Doubles("s"))!.Value, 1e-12);
            Assert.Equal(Value("mse"), RegressionMetrics.MeanSquaredError(Doubles("y"), Doubles("yh")), 1e-9);
            Assert.Equal(Value("mae"), RegressionMetrics.MeanAbsoluteError(Doubles("y"), Doubles("yh")), 1e-9);
            Assert.Equal(Value("r2"), RegressionMetrics.R2(Doubles("y"), Doubles("yh")), 1e-9);
        }
    }

    /// <summary>AUC is the share of (positive, negative) pairs ranked right, ties half: checked against all pairs.</summary>
    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property AucEqualsThePairCount() =>
        Prop.ForAll(Gen.Choose(2, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 1), n).SelectMany(t => Gen.ArrayOf(Gen.Choose(0, 5), n).Select(s => (t, s)))).ToArbitrary(),
            x =>
            {
                var (t, s) = x;
                var auc = ClassificationMetrics.RocAuc(t, s.Select(v => (double)v).ToArray());
                var pos = Enumerable.Range(0, t.Length).Where(i => t[i] == 1).ToArray();
                var neg = Enumerable.Range(0, t.Length).Where(i => t[i] == 0).ToArray();
                if (pos.Length == 0 || neg.Length == 0) return auc is null;
                var pairs = pos.SelectMany(p => neg.Select(q => s[p] > s[q] ? 1.0 : s[p] == s[q] ? 0.5 : 0)).Sum() / (pos.Length * neg.Length);
                return Math.Abs(auc!.Value - pairs) < 1e-12;
            });

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property PerfectPredictionsScoreOneAndScoresStayInRange() =>
        Prop.ForAll(Gen.Choose(1, 30).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 4), n).SelectMany(t => Gen.ArrayOf(Gen.Choose(0, 4), n).Select(p => (t, p)))).ToArbitrary(),
            x =>
            {
                var (t, p) = x;
                var (acc, f1) = (ClassificationMetrics.Accuracy(t, p), ClassificationMetrics.MacroF1(t, p));
                return ClassificationMetrics.Accuracy(t, t) == 1 && ClassificationMetrics.MacroF1(t, t) == 1
                       && acc is >= 0 and <= 1 && f1 is >= 0 and <= 1 && (acc == 1) == t.SequenceEqual(p);
            });

    [Fact]
    public void HeadlineMetricsAreOnlyThoseThatCanBeCommitted()
    {
        Assert.Equal("r2", Metric.DefaultHeadline(SwarmFL.Learning.Data.LearningTaskKind.Regression));
        Assert.Equal("macro-f1", Metric.ParseHeadline("Macro-F1", SwarmFL.Learning.Data.LearningTaskKind.Classification));
        Assert.Contains("unbounded", Assert.Throws<FormatException>(() => Metric.ParseHeadline("mse", SwarmFL.Learning.Data.LearningTaskKind.Regression)).Message);
        Assert.Throws<FormatException>(() => Metric.ParseHeadline("r2", SwarmFL.Learning.Data.LearningTaskKind.Classification));
    }
}
