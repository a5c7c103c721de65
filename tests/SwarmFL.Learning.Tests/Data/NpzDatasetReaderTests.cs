using System.IO.Compression;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.Data.Npz;
using SwarmFL.TestSupport;

namespace SwarmFL.Learning.Tests.Data;

/// <summary>.npz files written by NumPy itself (Debian's python3-numpy) read back exactly; bad files are refused.</summary>
public class NpzDatasetReaderTests
{
    private static void Numpy(string script)
    {
        var result = ProcessRunner.RunAsync(Python.WithNumpy(), ["-c", "import numpy as np\n" + script]).GetAwaiter().GetResult();
        Assert.True(result.ExitCode == 0, result.StdErr);
    }

    private static Dataset Read(string path, LearningTaskKind task = LearningTaskKind.Classification) =>
        DatasetReader.Load(new DataSource { Path = path, Task = task });

    [Theory]
    [InlineData("float32", "False", "savez")]
    [InlineData("float64", "False", "savez_compressed")]
    [InlineData(">f8", "False", "savez")]
    [InlineData("int16", "False", "savez")]
    [InlineData("uint8", "True", "savez_compressed")]
    [InlineData("float32", "True", "savez")]
    public void ReadsWhatNumpyWrites(string dtype, string fortran, string save)
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "d.npz");
        Numpy($"""
            x = (np.arange(2 * 3 * 4).reshape(2, 3, 4) * 3 % 17).astype('{dtype}')
            if {fortran}: x = np.asfortranarray(x)
            y = np.array([1, 0], dtype='int64')
            np.{save}('{path}', x=x, y=y)
            """);
        var data = Read(path);
        Assert.Equal(DataFormat.Npz, DataFormats.Detect(path));
        Assert.Equal([3, 4], data.SampleShape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)(i * 3 % 17)), data.Features);
        Assert.Equal([1, 0], data.Labels);
        Assert.Equal(["0", "1"], data.ClassNames);
    }

    [Fact]
    public void ReadsRegressionTargetsOfShapeNBy1AndBoolAndOneDimensionalFeatures()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "r.npz");
        Numpy($"np.savez('{path}', x=np.array([True, False, True]), y=np.array([[0.5], [-1.25], [3.0]]))");
        var data = Read(path, LearningTaskKind.Regression);
        Assert.Equal([1], data.SampleShape);
        Assert.Equal([1f, 0f, 1f], data.Features);
        Assert.Equal([0.5f, -1.25f, 3f], data.Targets);
    }

    [Fact]
    public void BadFilesAreRefusedNamingTheFileAndWhatToDo()
    {
        using var folder = new TempFolder();
        string Write(string name, string arrays)
        {
            var path = Path.Combine(folder.Path, name);
            Numpy($"np.savez('{path}', {arrays})");
            return path;
        }
        void Refused(string path, string expected, LearningTaskKind task = LearningTaskKind.Classification)
        {
            var e = Assert.Throws<DataFileException>(() => Read(path, task));
            Assert.Equal(path, e.File);
            Assert.Contains(expected, e.Message);
        }
        Refused(Write("a.npz", "x=np.zeros((3, 2))"), "must hold arrays x and y");
        Refused(Write("b.npz", "x=np.zeros((3, 2)), y=np.zeros(3), z=np.zeros(1)"), "unexpected array 'z.npy'");
        Refused(Write("c.npz", "x=np.zeros((3, 2)), y=np.zeros(4)"), "one target per sample");
        Refused(Write("d.npz", "x=np.zeros((2, 2)), y=np.array([0, -1])"), "y[1] = -1 is not a class index");
        Refused(Write("e.npz", "x=np.zeros((2, 2)), y=np.array([0.5, 1])"), "--task regression");
        Refused(Write("f.npz", "x=np.array([[1.0], [np.nan]]), y=np.array([0, 1])"), "not a finite float32");
        Refused(Write("g.npz", "x=np.array(['a', 'b']), y=np.array([0, 1])"), "is not supported");
        Refused(Write("h.npz", "x=np.zeros(2), y=np.array([1.0, np.inf])"), "y[1] is not a finite number", LearningTaskKind.Regression);
        Refused(folder.File("i.npz", "not a zip"), "cannot read the .npz file");
    }

    [Fact]
    public void TruncatedOrPaddedArraysAndBadHeadersAreRefused()
    {
        var good = Npy("<f4", "(2, 2)", new byte[16]);
        Assert.Equal([2, 2], NpyArray.Parse(good, "a").Shape);
        Assert.Contains("needs 16 data bytes, the array has 12", Assert.Throws<InvalidDataException>(() => NpyArray.Parse(good[..^4], "a")).Message);
        Assert.Contains("has 20", Assert.Throws<InvalidDataException>(() => NpyArray.Parse([.. good, 0, 0, 0, 0], "a")).Message);
        Assert.Contains("not a .npy", Assert.Throws<InvalidDataException>(() => NpyArray.Parse(new byte[20], "a")).Message);
        Assert.Throws<InvalidDataException>(() => NpyArray.Parse(Npy("<f4", "(2, 2)", new byte[16], extraKey: true), "a"));
        Assert.Throws<InvalidDataException>(() => NpyArray.Parse(Npy("<c8", "(2,)", new byte[16]), "a"));
        Assert.Throws<InvalidDataException>(() => NpyArray.Parse(Npy("<f4", "(-2,)", new byte[0]), "a"));
    }

    /// <summary>Our own minimal .npy writer (version 1.0), for the property below.</summary>
    private static byte[] Npy(string descr, string shape, byte[] data, bool fortran = false, bool extraKey = false)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, {(extraKey ? "'x': 'y', " : "")}}}";
        var padded = header.PadRight((header.Length + 11 + 63) / 64 * 64 - 11) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)(padded.Length & 0xff), (byte)(padded.Length >> 8)]);
        bytes.AddRange(Encoding.Latin1.GetBytes(padded));
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    /// <summary>Any C- or Fortran-ordered float64 array of rank 1–4 reads back in row-major order.</summary>
    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property ArraysOfAnyShapeAndOrderRoundTrip() =>
        Prop.ForAll(Gen.Choose(1, 4).SelectMany(rank => Gen.ArrayOf(Gen.Choose(1, 4), rank)).SelectMany(shape => Gen.Elements(true, false).Select(f => (shape, f))).ToArbitrary(),
            t =>
            {
                var (shape, fortran) = t;
                var count = shape.Aggregate(1, (a, d) => a * d);
                // Value = its row-major index; in Fortran order the bytes are laid out column-major.
                var strides = new int[shape.Length];
                for (int j = shape.Length - 1, s = 1; j >= 0; s *= shape[j], j--) strides[j] = s;
                var data = new double[count];
                for (var r = 0; r < count; r++)
                {
                    long f = 0, fStride = 1;
                    for (var j = 0; j < shape.Length; j++) { f += r / strides[j] % shape[j] * fStride; fStride *= shape[j]; }
                    data[fortran ? f : r] = r;
                }
                var bytes = data.SelectMany(BitConverter.GetBytes).ToArray();
                var shapeText = "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
                var array = NpyArray.Parse(Npy("<f8", shapeText, bytes, fortran), "p");
                return array.Shape.SequenceEqual(shape) && array.Values.SequenceEqual(Enumerable.Range(0, count).Select(i => (double)i));
            });

    [Fact]
    public void AZipWithAnArrayThatIsNotNpyIsRefused()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "z.npz");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var x = zip.CreateEntry("x.npy").Open()) x.Write(Npy("<f4", "(1, 1)", new byte[4]));
            using (var y = zip.CreateEntry("y.npy").Open()) y.Write("garbage"u8);
        }
        var e = Assert.Throws<DataFileException>(() => Read(path));
        Assert.Contains("array y: not a .npy array", e.Message);
    }
}
