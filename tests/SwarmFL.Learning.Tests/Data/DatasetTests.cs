using SwarmFL.Learning.Data;
using SwarmFL.Learning.Training;

namespace SwarmFL.Learning.Tests.Data;

public class DatasetTests
{
    [Fact]
    public void MnistThroughTheCommonFormFeedsTheTrainerTheSameFloatsAsBefore()
    {
        var mnist = MnistTestData.Test.Take(500);
        using var tensors = new TensorData(mnist);
        var expected = mnist.Images.Select(b => (b / 255f - MnistDataset.PixelMean) / MnistDataset.PixelStd).ToArray();
        Assert.Equal(expected, tensors.Images.data<float>().ToArray());
        Assert.Equal([500L, 1, 28, 28], tensors.Images.shape);
        Assert.Equal(mnist.Labels.Select(l => (long)l), tensors.Labels.data<long>().ToArray());
        Assert.Equal(LearningTaskKind.Classification, tensors.Task);
        Assert.Equal(10, tensors.Classes);
    }

    [Fact]
    public void DetectionFindsTheMnistFolderAndItStaysTheDefaultReader()
    {
        Assert.Equal(DataFormat.Mnist, DataFormats.Detect(SwarmFL.TestSupport.RepoPaths.MnistData));
        var data = DatasetReader.Load(new DataSource { Path = SwarmFL.TestSupport.RepoPaths.MnistData }, MnistSplit.Test);
        Assert.Equal(10_000, data.Count);
        Assert.Equal([1, 28, 28], data.SampleShape);
        Assert.Throws<DataFileException>(() => DatasetReader.Load(new DataSource { Path = SwarmFL.TestSupport.RepoPaths.MnistData, Task = LearningTaskKind.Regression }));
    }

    [Fact]
    public void PartitionersSplitRegressionDataByTargetDecile()
    {
        var targets = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i)).ToArray();
        var data = Dataset.Regression(new float[1000], [1], targets);
        var strata = data.StrataForPartitioning();
        Assert.Equal(10, strata.Distinct().Count());
        Assert.All(strata.GroupBy(s => s), g => Assert.InRange(g.Count(), 90, 110));
        var parts = Partitioner.Parse("shards:1").Split(data, 10, 3);
        // One shard per client: each client sees a narrow band of targets.
        Assert.All(parts, p => Assert.True(p.Select(i => targets[i]).Max() - p.Select(i => targets[i]).Min() < 0.7));
        Assert.Equal(1000, parts.Sum(p => p.Length));
    }

    [Fact]
    public void IntegerAndByteLabelsSplitAlike()
    {
        var labels = MnistTestData.Test.Labels;
        foreach (var scheme in new[] { "iid", "shards:2", "dirichlet:0.5" })
        {
            var p = Partitioner.Parse(scheme);
            Assert.Equal(p.Split(labels, 20, 5), p.Split(labels.Select(l => (int)l).ToArray(), 20, 5));
        }
    }
}
