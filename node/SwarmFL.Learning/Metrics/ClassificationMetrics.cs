namespace SwarmFL.Learning.Metrics;

/// <summary>
/// Scores of predicted classes against true ones, defined as scikit-learn defines them (the tests check against it):
/// accuracy; macro-F1 over the classes that occur in the truth or the predictions, a class with no true and no
/// predicted positives scoring 0 (zero_division=0); ROC AUC for two classes from the positive class's scores, ties
/// counted half (the Mann–Whitney U statistic over the average ranks).
/// </summary>
public static class ClassificationMetrics
{
    public static double Accuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        RequireSameLength(truth.Count, predicted.Count);
        var correct = 0;
        for (var i = 0; i < truth.Count; i++) if (truth[i] == predicted[i]) correct++;
        return correct / (double)truth.Count;
    }

    public static double MacroF1(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        RequireSameLength(truth.Count, predicted.Count);
        var classes = truth.Concat(predicted).Distinct().ToArray();
        double sum = 0;
        foreach (var c in classes)
        {
            long tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < truth.Count; i++)
            {
                var (t, p) = (truth[i] == c, predicted[i] == c);
                if (t && p) tp++;
                else if (p) fp++;
                else if (t) fn++;
            }
            var denominator = 2 * tp + fp + fn;
            sum += denominator == 0 ? 0 : 2.0 * tp / denominator;
        }
        return sum / classes.Length;
    }

    /// <summary>ROC AUC of scores for the positive class (label 1); null when only one class occurs in the truth.</summary>
    public static double? RocAuc(IReadOnlyList<int> truth, IReadOnlyList<double> positiveScores)
    {
        RequireSameLength(truth.Count, positiveScores.Count);
        long positives = truth.Count(t => t == 1), negatives = truth.Count - positives;
        if (truth.Any(t => t is not (0 or 1))) throw new ArgumentException("ROC AUC needs labels 0 and 1");
        if (positives == 0 || negatives == 0) return null;
        var order = Enumerable.Range(0, truth.Count).OrderBy(i => positiveScores[i]).ToArray();
        double positiveRankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && positiveScores[order[end + 1]] == positiveScores[order[start]]) end++;
            var averageRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++) if (truth[order[k]] == 1) positiveRankSum += averageRank;
            start = end + 1;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    private static void RequireSameLength(int a, int b)
    {
        if (a != b) throw new ArgumentException($"{a} true values but {b} predictions");
        if (a == 0) throw new ArgumentException("no samples to score");
    }
}
