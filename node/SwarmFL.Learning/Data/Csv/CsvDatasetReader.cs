using System.Globalization;
using nietras.SeparatedValues;

namespace SwarmFL.Learning.Data.Csv;

/// <summary>
/// A CSV (or TSV: the separator is detected from the header) with a header row. One column is the target
/// (<see cref="DataSource.LabelColumn"/>, default the last); every other column is a numeric feature, read as it is.
/// Rows are counted from 1 at the header, as an editor shows them. Refused, naming file, row and column: a row with
/// another number of cells than the header, an empty cell, a value that is not a finite number; and a feature column
/// whose first value is not a number (a text column: encode it or drop it).
/// </summary>
public static class CsvDatasetReader
{
    public static Dataset Read(DataSource source)
    {
        var path = source.Path;
        try
        {
            using var reader = Sep.Reader(o => o with { HasHeader = true, DisableColCountCheck = true, Unescape = true, Trim = SepTrim.Outer })
                .FromFile(path);
            var header = reader.Header.ColNames;
            if (header.Count < 2) throw new DataFileException(path, $"the header row has {header.Count} column(s); a dataset needs at least one feature and a label", 1);
            if (header.Distinct(StringComparer.Ordinal).Count() != header.Count)
                throw new DataFileException(path, $"the header names a column twice ({string.Join(", ", header.GroupBy(h => h).Where(g => g.Count() > 1).Select(g => g.Key))})", 1);
            var labelColumn = source.LabelColumn ?? header[^1];
            var label = IndexOf(header, labelColumn);
            if (label < 0)
                throw new DataFileException(path, $"there is no column '{labelColumn}' for --label; the header has {string.Join(", ", header)}", 1);
            var featureColumns = Enumerable.Range(0, header.Count).Where(c => c != label).ToArray();
            var features = new List<float>(1 << 16);
            var labelTexts = new List<string>();
            var targets = new List<float>();
            var rows = new List<long>();
            var regression = source.Task == LearningTaskKind.Regression;
            var row = 1L;
            foreach (var r in reader)
            {
                row++;
                if (r.ColCount == 1 && r[0].Span.IsWhiteSpace()) continue; // a blank line (e.g. two newlines at the end)
                if (r.ColCount != header.Count)
                    throw new DataFileException(path, $"the row has {r.ColCount} cells, the header {header.Count}; fix the row (a missing separator or an unquoted comma?)", row);
                foreach (var c in featureColumns)
                    features.Add(Number(r[c].Span, path, row, header[c], firstRow: rows.Count == 0, feature: true));
                var cell = r[label].Span;
                if (regression) targets.Add(Number(cell, path, row, header[label], firstRow: false, feature: false));
                else
                {
                    if (cell.IsWhiteSpace()) throw new DataFileException(path, "the label is missing; every sample needs one", row, header[label]);
                    labelTexts.Add(cell.ToString());
                }
                rows.Add(row);
            }
            if (rows.Count == 0) throw new DataFileException(path, "the file has a header but no data rows");
            var names = featureColumns.Select(c => header[c]).ToArray();
            var x = features.ToArray();
            if (regression) return Dataset.Regression(x, [featureColumns.Length], targets.ToArray(), names);
            var (labels, classes) = ClassLabels.Index(labelTexts, source.ClassNames, path, i => rows[i]);
            return Dataset.Classification(x, [featureColumns.Length], labels, classes, names);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot read the CSV file: {e.Message}", inner: e);
        }
        catch (ArgumentException e)
        {
            // Sep refuses a header that names a column twice while it opens the file.
            throw new DataFileException(path, $"the header row cannot be used ({e.Message}); give every column a unique name", 1, inner: e);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(path, $"not a well-formed CSV file: {e.Message}", inner: e);
        }
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++) if (header[i] == name) return i;
        for (var i = 0; i < header.Count; i++) if (string.Equals(header[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private static float Number(ReadOnlySpan<char> cell, string path, long row, string column, bool firstRow, bool feature)
    {
        if (cell.IsWhiteSpace())
            throw new DataFileException(path, "the value is missing; fill it in (for example with the column's mean) or drop the row", row, column);
        if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)) return value;
        if (feature && firstRow && !LooksNumeric(cell))
            throw new DataFileException(path, $"column '{column}' is not numeric (its first value is '{cell}'); encode it as numbers (e.g. one-hot) or drop it", row, column);
        throw new DataFileException(path, $"'{cell}' is not a finite number; fix or drop the row", row, column);
    }

    private static bool LooksNumeric(ReadOnlySpan<char> cell) =>
        cell.IndexOfAnyExcept("0123456789+-.eE \t") < 0 || cell.Trim().Equals("nan", StringComparison.OrdinalIgnoreCase)
        || cell.Trim().TrimStart('-').Equals("inf", StringComparison.OrdinalIgnoreCase) || cell.Trim().TrimStart('-').Equals("infinity", StringComparison.OrdinalIgnoreCase);
}
