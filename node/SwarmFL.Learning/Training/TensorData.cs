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

    /// <summary>Samples already in tensors: inputs [N, …] and int64 labels [N]; this object owns and disposes them.</summary>
    public TensorData(Tensor inputs, Tensor labels)
    {
        if (inputs.dim() == 0 || labels.dim() != 1 || inputs.shape[0] != labels.shape[0])
            throw new ArgumentException($"inputs [{string.Join(",", inputs.shape)}] and labels [{string.Join(",", labels.shape)}] must hold the same number of samples");
        Images = inputs;
        Labels = labels;
        Count = (int)labels.shape[0];
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
