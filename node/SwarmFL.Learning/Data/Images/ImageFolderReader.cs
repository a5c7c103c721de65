using SkiaSharp;

namespace SwarmFL.Learning.Data.Images;

/// <summary>
/// A folder with one sub-folder per class, each holding PNG or JPEG images (decoded with SkiaSharp). Each image is
/// converted to <see cref="DataSource.Channels"/> channels (1: luma, 0.299 R + 0.587 G + 0.114 B; 3: RGB), resized to
/// <see cref="DataSource.ImageSize"/> (default: the first image's size, in sorted order) and scaled to [0, 1];
/// samples have shape [C, H, W]. The class index is the sorted (ordinal) order of the folder names, or the swarm's
/// pinned class list. Files of other types are ignored; an image that does not decode is refused, naming it.
/// </summary>
public static class ImageFolderReader
{
    public static Dataset Read(DataSource source)
    {
        var root = source.Path;
        if (!Directory.Exists(root)) throw new DataFileException(root, "no such folder; --data for images is a folder with one sub-folder per class");
        if (source.Channels is not (1 or 3)) throw new DataFileException(root, $"--channels {source.Channels}: images have 1 (grey) or 3 (RGB) channels");
        var classFolders = Directory.GetDirectories(root).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        var files = classFolders
            .SelectMany(d => Directory.GetFiles(d).Where(DataFormats.IsImage).OrderBy(f => f, StringComparer.Ordinal).Select(f => (File: f, Class: Path.GetFileName(d))))
            .ToArray();
        if (files.Length == 0)
            throw new DataFileException(root, "no PNG or JPEG images in its sub-folders; put each class's images in a sub-folder named after the class");
        var (height, width) = source.ImageSize ?? FirstSize(files[0].File);
        var channels = source.Channels;
        var sampleSize = channels * height * width;
        var features = new float[(long)files.Length * sampleSize];
        for (var i = 0; i < files.Length; i++) Decode(files[i].File, height, width, channels, features.AsSpan(i * sampleSize, sampleSize));
        var (labels, classes) = ClassLabels.Index(files.Select(f => f.Class).ToArray(), source.ClassNames, root);
        return Dataset.Classification(features, [channels, height, width], labels, classes);
    }

    private static (int, int) FirstSize(string file)
    {
        using var codec = SKCodec.Create(file) ?? throw new DataFileException(file, "cannot decode the image (not a valid PNG or JPEG); remove or replace it");
        return (codec.Info.Height, codec.Info.Width);
    }

    private static void Decode(string file, int height, int width, int channels, Span<float> into)
    {
        using var decoded = SKBitmap.Decode(file) ?? throw new DataFileException(file, "cannot decode the image (not a valid PNG or JPEG); remove or replace it");
        using var rgba = decoded.ColorType == SKColorType.Rgba8888 ? null : decoded.Copy(SKColorType.Rgba8888);
        var source = rgba ?? decoded;
        if (source is null) throw new DataFileException(file, "cannot convert the image to RGBA");
        using var resized = source.Width == width && source.Height == height
            ? null
            : source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        var image = resized ?? source;
        if (image is null) throw new DataFileException(file, $"cannot resize the image to {height}x{width}");
        var pixels = image.GetPixelSpan();
        var plane = height * width;
        for (var p = 0; p < plane; p++)
        {
            float r = pixels[4 * p], g = pixels[4 * p + 1], b = pixels[4 * p + 2];
            if (channels == 1) into[p] = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
            else
            {
                into[p] = r / 255f;
                into[plane + p] = g / 255f;
                into[2 * plane + p] = b / 255f;
            }
        }
    }
}
