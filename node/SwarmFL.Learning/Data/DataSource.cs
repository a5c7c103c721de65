namespace SwarmFL.Learning.Data;

/// <summary>
/// Where a dataset comes from and how to read it: the <c>--data</c> path and the flags that shape it. The same
/// settings read a node's training data and its <c>--test-data</c>, so both come out with the same shape and classes.
/// </summary>
public sealed record DataSource
{
    public required string Path { get; init; }
    /// <summary>null: <see cref="DataFormats.Detect"/> picks it from the path.</summary>
    public DataFormat? Format { get; init; }
    /// <summary>CSV: the target column (default: the last column).</summary>
    public string? LabelColumn { get; init; }
    /// <summary>Image folders: every image is resized to this (default: the first image's size).</summary>
    public (int Height, int Width)? ImageSize { get; init; }
    /// <summary>Image folders: 1 (grey, luma) or 3 (RGB).</summary>
    public int Channels { get; init; } = 1;
    public LearningTaskKind Task { get; init; } = LearningTaskKind.Classification;
    /// <summary>
    /// The swarm's pinned class names, in index order. When given, a label maps to its index in this list (a node
    /// whose share lacks a class still numbers the others like everyone else); when null, the sorted names seen.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    public DataFormat ResolvedFormat => Format ?? DataFormats.Detect(Path);

    /// <summary>Reads "HxW", e.g. "28x28".</summary>
    public static (int Height, int Width) ParseImageSize(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out var h) && int.TryParse(parts[1], out var w) && h > 0 && w > 0 && h <= 4096 && w <= 4096)
            return (h, w);
        throw new FormatException($"image size '{text}' is not HxW with both in 1–4096, e.g. 28x28");
    }

    public static LearningTaskKind ParseTask(string text) => text.Trim().ToLowerInvariant() switch
    {
        "classification" => LearningTaskKind.Classification,
        "regression" => LearningTaskKind.Regression,
        _ => throw new FormatException($"unknown task '{text}'; expected classification or regression"),
    };

    public static string TaskName(LearningTaskKind task) => task == LearningTaskKind.Classification ? "classification" : "regression";
}
