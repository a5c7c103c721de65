using System.Buffers.Binary;
using System.IO.Compression;
using SwarmFL.Learning.Data;
using SwarmFL.TestSupport;

namespace SwarmFL.Learning.Tests.Data;

public class IdxFileTests
{
    [Fact]
    public void LoadsTheRealMnistFiles()
    {
        var train = MnistTestData.Train;
        var test = MnistTestData.Test;
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        // The well-known first training labels of MNIST.
        Assert.Equal(new byte[] { 5, 0, 4, 1, 9, 2, 1, 3, 1, 4 }, train.Labels[..10]);
        Assert.Equal(6742, train.LabelHistogram()[1]);
        Assert.Equal(0, train.Images[0]);
        Assert.Contains(train.Images[..784], p => p == 255);
    }

    private static byte[] Idx(byte type, int[] dims, int dataLength)
    {
        var bytes = new byte[4 + 4 * dims.Length + dataLength];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        return bytes;
    }

    [Fact]
    public void ParsesAWellFormedFileRawAndGzipped()
    {
        var bytes = Idx(0x08, [2, 3], 6);
        bytes[^1] = 9;
        var dir = Directory.CreateTempSubdirectory("swarmfl-idx-");
        try
        {
            var raw = Path.Combine(dir.FullName, "a-idx2-ubyte");
            File.WriteAllBytes(raw, bytes);
            var gz = raw + ".gz";
            using (var f = File.Create(gz))
            using (var z = new GZipStream(f, CompressionLevel.Fastest)) z.Write(bytes);
            foreach (var path in new[] { raw, gz })
            {
                var idx = IdxFile.Read(path, 2);
                Assert.Equal([2, 3], idx.Dimensions);
                Assert.Equal(9, idx.Data[^1]);
            }
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void RefusesBadMagicTypeDimensionsAndLengthsNamingTheFile()
    {
        var good = Idx(0x08, [4, 2], 8);
        var cases = new (byte[] Bytes, string Expect)[]
        {
            (new byte[] { 0, 0 }, "truncated"),
            ([1, 0, 8, 2, .. good[4..]], "not an IDX"),
            (Idx(0x0D, [4, 2], 8), "type"),
            (Idx(0x08, [8], 8), "dimensions"),
            (good[..^1], "truncated"),
            ([.. good, 0], "unexpected bytes"),
        };
        var dir = Directory.CreateTempSubdirectory("swarmfl-idx-");
        try
        {
            foreach (var (bytes, expect) in cases)
            {
                var path = Path.Combine(dir.FullName, "bad-idx");
                File.WriteAllBytes(path, bytes);
                var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 2));
                Assert.Contains(path, e.Message);
                Assert.Contains(expect, e.Message);
            }
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void MissingFilesGiveAClearError()
    {
        var dir = Directory.CreateTempSubdirectory("swarmfl-idx-");
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => MnistDataset.Load(dir.FullName, MnistSplit.Train));
            Assert.Contains("train-images", e.Message);
        }
        finally { dir.Delete(true); }
    }
}
