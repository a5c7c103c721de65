using System.Globalization;
using System.IO.Compression;

namespace SwarmFL.Learning.Data.Npz;

/// <summary>
/// A NumPy .npz (what <c>numpy.savez</c> or <c>savez_compressed</c> writes: a zip of .npy arrays) holding <c>x</c>, the
/// features with the samples along the first axis ([N] or [N, ...]), and <c>y</c>, the targets ([N] or [N, 1]):
/// non-negative integers for classification, any numbers for regression. Other entries are refused, so a file meant
/// for something else is not half-read.
/// </summary>
public static class NpzDatasetReader
{
    public static Dataset Read(DataSource source)
    {
        var path = source.Path;
        Dictionary<string, NpyArray> arrays;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                var name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                if (name is not ("x" or "y"))
                    throw new DataFileException(path, $"unexpected array '{entry.FullName}'; the file must hold exactly x (features) and y (targets): numpy.savez(path, x=..., y=...)");
                if (entry.Length > int.MaxValue) throw new DataFileException(path, $"array {name} is larger than 2 GB");
                using var stream = entry.Open();
                var bytes = new byte[entry.Length];
                stream.ReadExactly(bytes);
                try { arrays[name] = NpyArray.Parse(bytes, $"array {name}"); }
                catch (InvalidDataException e) { throw new DataFileException(path, e.Message, inner: e); }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new DataFileException(path, $"cannot read the .npz file (a zip of .npy arrays): {e.Message}", inner: e);
        }
        if (!arrays.TryGetValue("x", out var x) || !arrays.TryGetValue("y", out var y))
            throw new DataFileException(path, $"the file must hold arrays x and y; it holds {(arrays.Count == 0 ? "none" : string.Join(", ", arrays.Keys))}");
        if (x.Shape.Length == 0) throw new DataFileException(path, "array x is a scalar; it needs the samples along its first axis");
        var count = x.Shape[0];
        var yOk = y.Shape.Length == 1 && y.Shape[0] == count || y.Shape.Length == 2 && y.Shape[0] == count && y.Shape[1] == 1;
        if (!yOk)
            throw new DataFileException(path, $"array y has shape ({string.Join(", ", y.Shape)}); it needs one target per sample of x: ({count},) or ({count}, 1)");
        if (count == 0) throw new DataFileException(path, "the arrays hold no samples");
        int[] sampleShape = x.Shape.Length == 1 ? [1] : x.Shape[1..];
        if (sampleShape.Any(d => d == 0)) throw new DataFileException(path, $"array x has shape ({string.Join(", ", x.Shape)}): samples of size 0");
        var features = new float[x.Values.Length];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)x.Values[i];
            if (!float.IsFinite(features[i]))
                throw new DataFileException(path, $"x holds a value that is not a finite float32 ({x.Values[i].ToString(CultureInfo.InvariantCulture)}) in sample {i / (features.Length / count)}; fix or drop it");
        }
        if (source.Task == LearningTaskKind.Regression)
        {
            var targets = y.Values.Select(v => (float)v).ToArray();
            if (Array.FindIndex(targets, t => !float.IsFinite(t)) is >= 0 and var bad)
                throw new DataFileException(path, $"y[{bad}] is not a finite number; fix or drop the sample");
            return Dataset.Regression(features, sampleShape, targets);
        }
        var labels = new string[count];
        for (var i = 0; i < count; i++)
        {
            var v = y.Values[i];
            if (v < 0 || v != Math.Floor(v) || v > int.MaxValue)
                throw new DataFileException(path, $"y[{i}] = {v.ToString(CultureInfo.InvariantCulture)} is not a class index (a non-negative integer); for numeric targets pass --task regression");
            labels[i] = ((long)v).ToString(CultureInfo.InvariantCulture);
        }
        var (indices, classes) = ClassLabels.Index(labels, source.ClassNames, path);
        return Dataset.Classification(features, sampleShape, indices, classes);
    }
}
