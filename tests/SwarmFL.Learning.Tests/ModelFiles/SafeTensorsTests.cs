using System.Text.Json;
using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.TestSupport;

namespace SwarmFL.Learning.Tests.ModelFiles;

public class SafeTensorsTests
{
    private static readonly TensorLayout Layout = ModelSpec.Mnist2nn.Layout();

    [Fact]
    public void RoundTripsBitForBitAndTheHeaderIsCanonical()
    {
        var weights = ModelWeights.Initial(ModelSpec.Mnist2nn, seed: 7);
        var bytes = SafeTensors.Encode(weights);
        var headerLength = (long)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + Layout.ParameterCount * 4, bytes.Length);
        var header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.StartsWith("""{"fc1.bias":{"dtype":"F32","shape":[200],"data_offsets":[0,800]},""", header);
        Assert.EndsWith("}", header.TrimEnd(' '));
        Assert.True(header.Length - header.TrimEnd(' ').Length < 8, "padding is at most 7 spaces");

        var back = SafeTensors.Decode(bytes, Layout);
        Assert.True(back.BitwiseEquals(weights));
        Assert.Equal(bytes, SafeTensors.Encode(back));
        Assert.Equal(ContentId.Of(bytes), weights.ContentId());
    }

    [Fact]
    public void InitialWeightsDependOnlyOnTheSeed()
    {
        Assert.True(ModelWeights.Initial(ModelSpec.Mnist2nn, 1).BitwiseEquals(ModelWeights.Initial(ModelSpec.Mnist2nn, 1)));
        Assert.False(ModelWeights.Initial(ModelSpec.Mnist2nn, 1).BitwiseEquals(ModelWeights.Initial(ModelSpec.Mnist2nn, 2)));
        var fc1 = ModelWeights.Initial(ModelSpec.Mnist2nn, 1)["fc1.weight"];
        var bound = 1 / Math.Sqrt(784);
        Assert.All(fc1, x => Assert.InRange(x, -bound, bound));
        Assert.InRange(fc1.Average(), -0.001, 0.001);
    }

    [Fact]
    public async Task ContentIdMatchesTheMultiformatsReference()
    {
        var dir = Directory.CreateTempSubdirectory("swarmfl-cid-");
        try
        {
            var paths = new List<string>();
            var ids = new List<string>();
            foreach (var seed in new ulong[] { 1, 2 })
            {
                var path = Path.Combine(dir.FullName, $"m{seed}.safetensors");
                ids.Add(SafeTensors.Write(ModelWeights.Initial(ModelSpec.Mnist2nn, seed), path).ToString());
                paths.Add(path);
            }
            var output = await NodeScript.RunAsync("learning/cid.mjs", paths);
            var reference = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(ids, reference);
            Assert.All(ids, id => Assert.StartsWith("bafkrei", id));
            Assert.NotEqual(ids[0], ids[1]);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public async Task NumpyReadsTheSameValues()
    {
        var python = Python.WithNumpy();
        var weights = ModelWeights.Initial(ModelSpec.Mnist2nn, seed: 3);
        var path = Path.Combine(Path.GetTempPath(), $"swarmfl-np-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Write(weights, path);
            var script = Path.Combine(RepoPaths.Interop, "learning", "read_safetensors.py");
            var result = await ProcessRunner.RunAsync(python, [script, path]);
            result.EnsureSuccess("read_safetensors.py");
            using var doc = JsonDocument.Parse(result.StdOut);
            var root = doc.RootElement;
            Assert.True(root.GetProperty("aligned").GetBoolean());
            Assert.Equal(root.GetProperty("data_bytes").GetInt64(), root.GetProperty("covered_bytes").GetInt64());
            Assert.Equal(Layout.Tensors.Select(t => t.Name), root.GetProperty("names_in_order").EnumerateArray().Select(e => e.GetString()));
            foreach (var (spec, values) in Layout.Tensors.Zip(weights.Values))
            {
                var t = root.GetProperty("tensors").GetProperty(spec.Name);
                Assert.Equal(spec.Shape, t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
                var sum = values.Sum(v => (double)v);
                Assert.Equal(sum, t.GetProperty("sum").GetDouble(), 1e-9);
                foreach (var pick in t.GetProperty("picks").EnumerateObject())
                {
                    var fromNumpy = double.Parse(pick.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    Assert.Equal((double)values[int.Parse(pick.Name)], fromNumpy);
                }
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RefusesAFileForAnotherModel()
    {
        var bytes = SafeTensors.Encode(ModelWeights.Initial(ModelSpec.Mnist2nn, 1));
        var e = Assert.Throws<ModelFileException>(() => SafeTensors.Decode(bytes, ModelSpec.MnistCnn.Layout(), "x.safetensors"));
        Assert.Contains("x.safetensors", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void RefusesWrongShapes()
    {
        var other = new TensorLayout([new TensorSpec("w", [2, 3])]);
        var bytes = SafeTensors.Encode(new ModelWeights(other, [new float[6]]));
        var e = Assert.Throws<ModelFileException>(() => SafeTensors.Decode(bytes, new TensorLayout([new TensorSpec("w", [3, 2])]), "f"));
        Assert.Contains("shape", e.Message);
    }

    [Fact]
    public void RefusesTruncatedAndCorruptFiles()
    {
        var bytes = SafeTensors.Encode(ModelWeights.Initial(ModelSpec.Mnist2nn, 1));
        foreach (var length in new[] { 0, 5, 8, 100, bytes.Length - 1 })
        {
            var e = Assert.Throws<ModelFileException>(() => SafeTensors.Decode(bytes.AsSpan(0, length), Layout, "cut.safetensors"));
            Assert.Contains("cut.safetensors", e.Message);
        }
        var garbled = (byte[])bytes.Clone();
        garbled[8] = (byte)'#';
        Assert.Contains("corrupt", Assert.Throws<ModelFileException>(() => SafeTensors.Decode(garbled, Layout)).Message);
        var huge = (byte[])bytes.Clone();
        BitConverter.GetBytes(ulong.MaxValue).CopyTo(huge, 0);
        Assert.Throws<ModelFileException>(() => SafeTensors.Decode(huge, Layout));
        var trailing = bytes.Append((byte)0).ToArray();
        Assert.Contains("trailing", Assert.Throws<ModelFileException>(() => SafeTensors.Decode(trailing, Layout)).Message);
    }

    [Fact]
    public void StreamingReaderRefusesATruncatedFileWithItsName()
    {
        var path = Path.Combine(Path.GetTempPath(), $"swarmfl-cut-{Guid.NewGuid():N}.safetensors");
        try
        {
            var bytes = SafeTensors.Encode(ModelWeights.Initial(ModelSpec.Mnist2nn, 1));
            File.WriteAllBytes(path, bytes[..^40]);
            var e = Assert.Throws<ModelFileException>(() => ModelFileReader.Open(path, Layout));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void StreamingReaderReadsTheDeclaredLayoutAndEveryTensorAsWritten()
    {
        var path = Path.Combine(Path.GetTempPath(), $"swarmfl-layout-{Guid.NewGuid():N}.safetensors");
        try
        {
            var weights = ModelWeights.Initial(ModelSpec.Mnist2nn, 7);
            SafeTensors.Write(weights, path);
            var declared = ModelFileReader.ReadLayout(path);
            Assert.Equal(Layout.Tensors.Select(t => (t.Name, t.ShapeText)), declared.Tensors.Select(t => (t.Name, t.ShapeText)));
            using var reader = ModelFileReader.Open(path, declared);
            for (var t = 0; t < Layout.Tensors.Count; t++) Assert.Equal(weights.Values[t], reader.ReadTensor(t));

            File.WriteAllBytes(path, new byte[5]);
            var e = Assert.Throws<ModelFileException>(() => ModelFileReader.ReadLayout(path));
            Assert.Contains("too short", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AllFiniteFindsANonFiniteValueInsideAVectorBlockAndInTheTail()
    {
        var weights = ModelWeights.Initial(ModelSpec.Mnist2nn, 3);
        Assert.True(weights.AllFinite());
        weights.Values[0][0] = float.NaN;
        Assert.False(weights.AllFinite());
        weights.Values[0][0] = 0;
        // The 10-class output bias: its last element lies past the last whole block of eight.
        var tail = weights.Values.First(v => v.Length % 8 != 0);
        tail[^1] = float.NegativeInfinity;
        Assert.False(weights.AllFinite());
    }
}
