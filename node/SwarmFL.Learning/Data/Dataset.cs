namespace SwarmFL.Learning.Data;

/// <summary>
/// The one in-memory form every reader produces: float features, row-major, one block of <see cref="SampleSize"/>
/// values per sample with the per-sample <see cref="SampleShape"/> (no batch dimension); and either integer class
/// labels (classification, with <see cref="ClassNames"/>) or float targets (regression).
/// </summary>
public sealed class Dataset
{
    public float[] Features { get; }
    public int[] SampleShape { get; }
    public int SampleSize { get; }
    /// <summary>Class index per sample (classification); null for regression.</summary>
    public int[]? Labels { get; }
    /// <summary>Target per sample (regression); null for classification.</summary>
    public float[]? Targets { get; }
    /// <summary>Class index → name (classification); empty for regression.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Names of the features (CSV columns), when the format has them; otherwise empty.</summary>
    public IReadOnlyList<string> FeatureNames { get; }
    public int Count { get; }

    public bool IsClassification => Labels is not null;
    public LearningTaskKind Task => IsClassification ? LearningTaskKind.Classification : LearningTaskKind.Regression;

    private Dataset(float[] features, int[] sampleShape, int[]? labels, float[]? targets, IReadOnlyList<string> classNames, IReadOnlyList<string> featureNames)
    {
        if (sampleShape.Length == 0 || sampleShape.Any(d => d < 1))
            throw new ArgumentException($"sample shape [{string.Join(", ", sampleShape)}] must have positive dimensions");
        SampleSize = sampleShape.Aggregate(1, (a, d) => checked(a * d));
        Count = labels?.Length ?? targets!.Length;
        if (features.LongLength != (long)Count * SampleSize)
            throw new ArgumentException($"{Count} samples of shape [{string.Join(", ", sampleShape)}] need {(long)Count * SampleSize} features, got {features.LongLength}");
        if (labels is not null)
            foreach (var l in labels)
                if (l < 0 || l >= classNames.Count) throw new ArgumentException($"label {l} is outside the {classNames.Count} classes");
        Features = features;
        SampleShape = sampleShape;
        Labels = labels;
        Targets = targets;
        ClassNames = classNames;
        FeatureNames = featureNames;
    }

    public static Dataset Classification(float[] features, int[] sampleShape, int[] labels, IReadOnlyList<string> classNames,
        IReadOnlyList<string>? featureNames = null) =>
        new(features, sampleShape, labels, null, classNames, featureNames ?? []);

    public static Dataset Regression(float[] features, int[] sampleShape, float[] targets, IReadOnlyList<string>? featureNames = null) =>
        new(features, sampleShape, null, targets, [], featureNames ?? []);

    /// <summary>
    /// What the partitioners split on: the class label, or for regression the target's decile among this dataset's
    /// targets (so shards and Dirichlet skew work on a regression set as "skew by target range").
    /// </summary>
    public int[] StrataForPartitioning()
    {
        if (Labels is not null) return Labels;
        var sorted = (float[])Targets!.Clone();
        Array.Sort(sorted);
        var bounds = Enumerable.Range(1, 9).Select(q => sorted[(int)((long)q * (sorted.Length - 1) / 10)]).ToArray();
        return Targets.Select(t => bounds.Count(b => t > b)).ToArray();
    }

    public Dataset Subset(IReadOnlyList<int> indices)
    {
        var features = new float[(long)indices.Count * SampleSize];
        for (var i = 0; i < indices.Count; i++)
        {
            if ((uint)indices[i] >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"sample {indices[i]} of {Count}");
            Array.Copy(Features, (long)indices[i] * SampleSize, features, (long)i * SampleSize, SampleSize);
        }
        return Labels is not null
            ? new Dataset(features, SampleShape, indices.Select(i => Labels[i]).ToArray(), null, ClassNames, FeatureNames)
            : new Dataset(features, SampleShape, null, indices.Select(i => Targets![i]).ToArray(), ClassNames, FeatureNames);
    }

    public Dataset Take(int count) => Subset(Enumerable.Range(0, Math.Min(count, Count)).ToArray());

    /// <summary>The same samples with other features (for scaling), same shape.</summary>
    public Dataset WithFeatures(float[] features) => new(features, SampleShape, Labels, Targets, ClassNames, FeatureNames);

    /// <summary>The same regression samples with other targets (for target scaling).</summary>
    public Dataset WithTargets(float[] targets) =>
        Targets is not null && targets.Length == Count ? new(Features, SampleShape, null, targets, ClassNames, FeatureNames)
            : throw new ArgumentException("targets can only replace the targets of a regression dataset, one per sample");

    public int[] LabelHistogram()
    {
        var h = new int[ClassNames.Count];
        if (Labels is not null) foreach (var l in Labels) h[l]++;
        return h;
    }

    public override string ToString() =>
        $"{Count} samples of shape [{string.Join(", ", SampleShape)}], " +
        (IsClassification ? $"{ClassNames.Count} classes" : "regression targets");
}

public enum LearningTaskKind { Classification, Regression }
