namespace SwarmFL.Learning.Data;

/// <summary>
/// A data file that cannot be used, with where (file, and the 1-based row and column when they apply) and what to do.
/// The CLI turns it into exit code 3 (bad input).
/// </summary>
public sealed class DataFileException(string file, string problem, long? row = null, string? column = null, Exception? inner = null)
    : Exception(Format(file, problem, row, column), inner)
{
    public string File { get; } = file;
    public long? Row { get; } = row;
    public string? Column { get; } = column;
    public string Problem { get; } = problem;

    private static string Format(string file, string problem, long? row, string? column)
    {
        var where = file;
        if (row is { } r) where += $", row {r}";
        if (column is { } c) where += $", column {c}";
        return $"{where}: {problem}";
    }
}
