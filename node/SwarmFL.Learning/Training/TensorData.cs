using SwarmFL.Learning.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Training;

/// <summary>
/// A dataset converted once to libtorch tensors: float features [N, ...sample shape] and the targets [N] (int64 class
/// labels, or float32 regression targets).
/// </summary>
public sealed class TensorData : IDisposable
{
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Count { get; }
    public LearningTaskKind Task { get; }
    public int Classes { get; }

    public TensorData(MnistDataset data) : this(data.ToDataset()) { }

    public TensorData(Dataset data)
    {
        Count = data.Count;
        Task = data.Task;
        Classes = data.ClassNames.Count;
        Images = tensor(data.Features, [data.Count, .. data.SampleShape.Select(d => (long)d)]);
        Labels = data.Labels is { } labels
            ? tensor(labels.Select(l => (long)l).ToArray(), [data.Count])
            : tensor(data.Targets!, [data.Count]);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
