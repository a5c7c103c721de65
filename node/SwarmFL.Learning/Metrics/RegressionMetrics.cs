namespace SwarmFL.Learning.Metrics;

/// <summary>
/// Regression scores, as scikit-learn defines them: mean squared error, mean absolute error, and R² = 1 − SS_res/SS_tot
/// (with constant truth: 1 when the predictions are exact, else 0, scikit-learn's force_finite rule).
/// </summary>
public static class RegressionMetrics
{
    public static double MeanSquaredError(IReadOnlyList<double> truth, IReadOnlyList<double> predicted) =>
        Mean(truth, predicted, (t, p) => (t - p) * (t - p));

    public static double MeanAbsoluteError(IReadOnlyList<double> truth, IReadOnlyList<double> predicted) =>
        Mean(truth, predicted, (t, p) => Math.Abs(t - p));

    public static double R2(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        Mean(truth, predicted, (_, _) => 0);
        var mean = truth.Average();
        double residual = 0, total = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            residual += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
            total += (truth[i] - mean) * (truth[i] - mean);
        }
        if (total == 0) return residual == 0 ? 1 : 0;
        return 1 - residual / total;
    }

    private static double Mean(IReadOnlyList<double> truth, IReadOnlyList<double> predicted, Func<double, double, double> term)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} true values but {predicted.Count} predictions");
        if (truth.Count == 0) throw new ArgumentException("no samples to score");
        double sum = 0;
        for (var i = 0; i < truth.Count; i++) sum += term(truth[i], predicted[i]);
        return sum / truth.Count;
    }
}
