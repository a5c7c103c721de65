using SwarmFL.Learning.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Training;

/// <summary>A dataset converted once to libtorch tensors: standardised float images [N,1,28,28] and int64 labels [N].</summary>
public sealed class TensorData : IDisposable
{
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Count { get; }

    public TensorData(MnistDataset data)
    {
        Count = data.Count;
        var pixels = new float[data.Images.Length];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (data.Images[i] / 255f - MnistDataset.PixelMean) / MnistDataset.PixelStd;
        Images = tensor(pixels, [data.Count, 1, MnistDataset.Rows, MnistDataset.Columns]);
        Labels = tensor(data.Labels.Select(l => (long)l).ToArray(), [data.Count]);
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
