using System.Buffers.Binary;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Tests.Models;

/// <summary>int64 buffers: strict in layouts and files, exact in memory, and merged by one rule (the maximum) in every strategy.</summary>
public class IntegerBufferTests
{
    private static readonly TensorLayout Layout = new([new TensorSpec("bn.weight", [2]), new TensorSpec("bn.num_batches_tracked", [], TensorDType.I64)]);

    private static ModelWeights Model(float weight, float counter) => new(Layout, [[counter], [weight, -weight]]);

    [Theory]
    [InlineData("fedavg")]
    [InlineData("median")]
    [InlineData("trimmed-mean:0.2")]
    [InlineData("krum:1")]
    [InlineData("multi-krum:1:3")]
    [InlineData("geometric-median")]
    public void EveryStrategyMergesIntegerBuffersToTheirMaximum(string strategy)
    {
        var models = new[] { Model(1, 7), Model(2, 12), Model(3, 9), Model(2.5f, 3), Model(1.5f, 10) };
        var set = new UpdateSet(Layout, models.Select((m, i) => ModelUpdate.InMemory(m, 10 + i, $"u{i}")));
        var merged = AggregationStrategies.Parse(strategy).Aggregate(set);
        Assert.Equal(12f, merged["bn.num_batches_tracked"][0]);
        // The float tensors are the strategy's own business: not the integer rule's.
        Assert.InRange(merged["bn.weight"][0], 1f, 3f);
    }

    [Fact]
    public void IntegerTensorsAreWrittenAsInt64AndReadBackExactly()
    {
        var model = Model(0.5f, 16_000_000);
        var bytes = SafeTensors.Encode(model);
        Assert.Contains("\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}", System.Text.Encoding.UTF8.GetString(bytes));
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(16_000_000L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8 + headerLength)));
        Assert.True(SafeTensors.Decode(bytes, Layout).BitwiseEquals(model));
        Assert.Equal(TensorDType.I64, ModelFileReaderLayout(bytes).Find("bn.num_batches_tracked")!.DType);
    }

    [Fact]
    public void ACounterBeyondTwoToThe24IsRefusedNotRounded()
    {
        var bytes = SafeTensors.Encode(Model(0.5f, 0));
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 + headerLength), (1L << 24) + 1);
        var e = Assert.Throws<ModelFileException>(() => SafeTensors.Decode(bytes, Layout, "f"));
        Assert.Contains("bn.num_batches_tracked", e.Message);
        Assert.Throws<ModelFileException>(() => SafeTensors.Encode(Model(0.5f, 2.5f)));
    }

    [Fact]
    public void AFloatFileForAnIntegerBufferIsRefusedByDtype()
    {
        var asFloat = new TensorLayout([new TensorSpec("bn.weight", [2]), new TensorSpec("bn.num_batches_tracked", [1])]);
        var bytes = SafeTensors.Encode(new ModelWeights(asFloat, [[3], [1, 2]]));
        var e = Assert.Throws<ModelFileException>(() => SafeTensors.Decode(bytes, Layout, "f"));
        Assert.Contains("bn.num_batches_tracked", e.Message);
        Assert.NotNull(Layout.Difference(asFloat));
    }

    private static TensorLayout ModelFileReaderLayout(byte[] bytes)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            return ModelFileReader.ReadLayout(path);
        }
        finally { File.Delete(path); }
    }
}
