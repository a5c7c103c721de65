namespace SwarmFL.Learning.Data;

/// <summary>The dataset formats <c>--data</c> reads; <c>--data-format</c> names one, otherwise <see cref="Detect"/> picks it.</summary>
public enum DataFormat { Mnist, Csv, Npz, Images }

public static class DataFormats
{
    public static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    public static string Names => "mnist, csv, npz, images";

    public static DataFormat Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "mnist" or "idx" => DataFormat.Mnist,
        "csv" => DataFormat.Csv,
        "npz" => DataFormat.Npz,
        "images" or "image-folder" => DataFormat.Images,
        _ => throw new FormatException($"unknown data format '{text}'; expected one of {Names}"),
    };

    public static string Name(DataFormat format) => format switch
    {
        DataFormat.Mnist => "mnist",
        DataFormat.Csv => "csv",
        DataFormat.Npz => "npz",
        _ => "images",
    };

    /// <summary>
    /// A file by its extension (.csv/.tsv/.txt → CSV, .npz → NumPy); a folder holding IDX files (directly or under
    /// data/) → MNIST; a folder whose sub-folders hold PNG/JPEG files → image folders.
    /// </summary>
    public static DataFormat Detect(string path)
    {
        if (File.Exists(path))
        {
            var ext = Path.GetExtension(path).ToLowerInvariant();
            return ext switch
            {
                ".csv" or ".tsv" or ".txt" => DataFormat.Csv,
                ".npz" => DataFormat.Npz,
                _ => throw new DataFileException(path, $"cannot tell the format from the extension '{ext}'; pass --data-format ({Names})"),
            };
        }
        if (!Directory.Exists(path)) throw new DataFileException(path, "no such file or folder; check --data");
        foreach (var folder in new[] { path, Path.Combine(path, "data") })
            if (Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(f => Path.GetFileName(f).Contains("idx", StringComparison.OrdinalIgnoreCase)))
                return DataFormat.Mnist;
        if (Directory.EnumerateDirectories(path).Any(d => Directory.EnumerateFiles(d).Any(IsImage)))
            return DataFormat.Images;
        throw new DataFileException(path, "the folder holds neither MNIST IDX files nor class sub-folders of PNG/JPEG images; pass --data-format or another --data");
    }

    public static bool IsImage(string file) => ImageExtensions.Contains(Path.GetExtension(file).ToLowerInvariant());
}
