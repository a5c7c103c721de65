namespace SwarmFL.Learning.Metrics;

/// <summary>
/// The named scores a task reports. Every headline metric is "higher is better" and lies in [0, 1] for a useful
/// model, because members commit it on chain as parts per million clamped to [0, 1] (the contract's uint32 metric):
/// accuracy, macro-F1 and ROC AUC fit as they are; for regression the headline is R² (a negative R², worse than
/// predicting the mean, commits as 0). MSE and MAE are reported next to it but never committed: they have no upper bound.
/// </summary>
public static class Metric
{
    public const string Accuracy = "accuracy";
    public const string MacroF1 = "macro-f1";
    public const string RocAuc = "roc-auc";
    public const string Mse = "mse";
    public const string Mae = "mae";
    public const string R2 = "r2";

    public static readonly string[] ClassificationHeadlines = [Accuracy, MacroF1, RocAuc];
    public static readonly string[] RegressionHeadlines = [R2];

    public static string DefaultHeadline(Data.LearningTaskKind task) => task == Data.LearningTaskKind.Classification ? Accuracy : R2;

    /// <summary>Checks that a headline metric can be committed for the task (and the class count, for ROC AUC).</summary>
    public static string ParseHeadline(string text, Data.LearningTaskKind task)
    {
        var name = text.Trim().ToLowerInvariant();
        var allowed = task == Data.LearningTaskKind.Classification ? ClassificationHeadlines : RegressionHeadlines;
        if (!allowed.Contains(name))
            throw new FormatException($"metric '{text}' cannot be the headline of a {Data.DataSource.TaskName(task)} swarm; expected {string.Join(", ", allowed)}"
                + (task == Data.LearningTaskKind.Regression ? " (MSE and MAE are reported, but unbounded values cannot be committed)" : ""));
        return name;
    }
}
