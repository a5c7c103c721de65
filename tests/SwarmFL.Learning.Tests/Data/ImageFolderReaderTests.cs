using SkiaSharp;
using SwarmFL.Learning.Data;

namespace SwarmFL.Learning.Tests.Data;

public class ImageFolderReaderTests
{
    /// <summary>A solid-colour image (an exact value after decoding and after a resize) saved as PNG or JPEG.</summary>
    private static void Save(string path, int height, int width, SKColor colour, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(colour);
        using var data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static Dataset Read(string root, int channels = 1, (int, int)? size = null, IReadOnlyList<string>? classes = null) =>
        DatasetReader.Load(new DataSource { Path = root, Channels = channels, ImageSize = size, ClassNames = classes });

    [Fact]
    public void ClassesAreTheSortedFolderNamesAndImagesComeOutAsCHWInZeroToOne()
    {
        using var folder = new TempFolder();
        Save(Path.Combine(folder.Path, "dog", "a.png"), 4, 6, new SKColor(255, 0, 0));
        Save(Path.Combine(folder.Path, "cat", "b.png"), 4, 6, new SKColor(0, 0, 255));
        Save(Path.Combine(folder.Path, "cat", "c.png"), 4, 6, new SKColor(255, 255, 255));
        folder.File("cat/notes.txt", "ignored");
        Assert.Equal(DataFormat.Images, DataFormats.Detect(folder.Path));

        var grey = Read(folder.Path);
        Assert.Equal(["cat", "dog"], grey.ClassNames);
        Assert.Equal([0, 0, 1], grey.Labels);
        Assert.Equal([1, 4, 6], grey.SampleShape);
        Assert.All(grey.Features[..24], v => Assert.Equal(0.114f * 255 / 255f, v, 1e-5f));
        Assert.All(grey.Features[24..48], v => Assert.Equal(1f, v, 1e-5f));
        Assert.All(grey.Features[48..], v => Assert.Equal(0.299f, v, 1e-5f));

        var rgb = Read(folder.Path, channels: 3);
        Assert.Equal([3, 4, 6], rgb.SampleShape);
        var dog = rgb.Features[144..];
        Assert.All(dog[..24], v => Assert.Equal(1f, v));
        Assert.All(dog[24..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ImagesOfOtherSizesAreResizedToImageSizeAndJpegDecodes()
    {
        using var folder = new TempFolder();
        Save(Path.Combine(folder.Path, "a", "1.png"), 10, 10, new SKColor(128, 128, 128));
        Save(Path.Combine(folder.Path, "b", "2.jpg"), 20, 30, new SKColor(128, 128, 128), SKEncodedImageFormat.Jpeg);
        var data = Read(folder.Path, size: (8, 5));
        Assert.Equal([1, 8, 5], data.SampleShape);
        Assert.All(data.Features, v => Assert.Equal(128 / 255f, v, 0.02f));
        Assert.Equal([1, 10, 10], Read(folder.Path).SampleShape);
    }

    [Fact]
    public void BadFoldersAreRefusedNamingTheFile()
    {
        using var folder = new TempFolder();
        Save(Path.Combine(folder.Path, "a", "1.png"), 3, 3, SKColors.Black);
        var broken = folder.File("b/2.png", "not a png");
        var e = Assert.Throws<DataFileException>(() => Read(folder.Path));
        Assert.Equal(broken, e.File);
        Assert.Contains("cannot decode", e.Message);
        File.Delete(broken);
        Assert.Contains("1 (grey) or 3 (RGB)", Assert.Throws<DataFileException>(() => Read(folder.Path, channels: 2)).Message);
        Assert.Contains("'a' is not one of the swarm's 1 classes", Assert.Throws<DataFileException>(() => Read(folder.Path, classes: ["z"])).Message);
        using var empty = new TempFolder();
        empty.Sub("x");
        Assert.Throws<DataFileException>(() => DataFormats.Detect(empty.Path));
    }
}
