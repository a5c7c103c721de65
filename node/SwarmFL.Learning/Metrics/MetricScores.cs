using System.Globalization;
using SwarmFL.Learning.Data;

namespace SwarmFL.Learning.Metrics;

/// <summary>Every score a task reports for one evaluation, by <see cref="Metric"/> name, with the mean loss.</summary>
public sealed record MetricScores(LearningTaskKind Task, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>Two evaluations that scored the same are equal (a record compares a dictionary by reference otherwise).</summary>
    public bool Equals(MetricScores? other) =>
        other is not null && Task == other.Task && Values.Count == other.Values.Count
        && Values.All(p => other.Values.TryGetValue(p.Key, out var v) && v.Equals(p.Value));

    public override int GetHashCode() =>
        Values.OrderBy(p => p.Key, StringComparer.Ordinal).Aggregate(Task.GetHashCode(), (h, p) => HashCode.Combine(h, p.Key, p.Value));

    public double this[string metric] => Values.TryGetValue(metric, out var v)
        ? v : throw new ArgumentException($"metric '{metric}' is not reported for this {DataSource.TaskName(Task)} evaluation (it has {string.Join(", ", Values.Keys)})");

    /// <summary>Classification: accuracy, macro-F1, and with two classes ROC AUC from the positive class's probability.</summary>
    public static MetricScores Classification(int[] truth, int[] predicted, double[]? positiveScores)
    {
        var values = new Dictionary<string, double>
        {
            [Metric.Accuracy] = ClassificationMetrics.Accuracy(truth, predicted),
            [Metric.MacroF1] = ClassificationMetrics.MacroF1(truth, predicted),
        };
        if (positiveScores is not null && ClassificationMetrics.RocAuc(truth, positiveScores) is { } auc) values[Metric.RocAuc] = auc;
        return new MetricScores(LearningTaskKind.Classification, values);
    }

    public static MetricScores Regression(double[] truth, double[] predicted) => new(LearningTaskKind.Regression, new Dictionary<string, double>
    {
        [Metric.Mse] = RegressionMetrics.MeanSquaredError(truth, predicted),
        [Metric.Mae] = RegressionMetrics.MeanAbsoluteError(truth, predicted),
        [Metric.R2] = RegressionMetrics.R2(truth, predicted),
    });

    public override string ToString() =>
        string.Join(", ", Values.Select(kv => $"{kv.Key} {kv.Value.ToString("F4", CultureInfo.InvariantCulture)}"));
}
