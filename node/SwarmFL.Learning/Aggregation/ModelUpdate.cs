using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// One input to a merge: a model identified by its content id, with the number of samples it was trained on.
/// Tensors are read on demand, one at a time, so a merge of N models holds N copies of one tensor, not of N models.
/// </summary>
public abstract class ModelUpdate : IDisposable
{
    public abstract ContentId Id { get; }
    public abstract long Samples { get; }
    /// <summary>For messages: a file path or the content id.</summary>
    public abstract string Describe { get; }
    public abstract float[] ReadTensor(int index);
    public virtual void Dispose() { }

    public override string ToString() => $"{Describe} ({Samples} samples)";

    /// <summary>The same model counted with another sample count (the swarm's cap); the view does not own the model.</summary>
    public ModelUpdate WithSamples(long samples) => samples == Samples ? this : new Reweighted(this, samples);

    private sealed class Reweighted(ModelUpdate inner, long samples) : ModelUpdate
    {
        public override ContentId Id => inner.Id;
        public override long Samples => samples;
        public override string Describe => inner.Describe;
        public override float[] ReadTensor(int index) => inner.ReadTensor(index);
    }

    /// <summary>An update held in memory; its id is the content id of its canonical safetensors encoding.</summary>
    public static ModelUpdate InMemory(ModelWeights weights, long samples, string? describe = null) =>
        new InMemoryUpdate(weights, samples, describe);

    /// <summary>An update decoded from the file with content id <paramref name="id"/>: it keeps that id, even when the
    /// file's header is not byte-for-byte the canonical one.</summary>
    public static ModelUpdate InMemory(ModelWeights weights, long samples, ContentId id, string? describe = null) =>
        new InMemoryUpdate(weights, samples, describe, id);

    /// <summary>An update read lazily from a safetensors file; its id is the content id of the file bytes.</summary>
    public static ModelUpdate FromFile(string path, TensorLayout layout, long samples)
    {
        ContentId id;
        try
        {
            using var stream = File.OpenRead(path);
            id = ContentId.Of(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"{path}: cannot read model file: {e.Message}", e);
        }
        return new FileUpdate(ModelFileReader.Open(path, layout), id, samples);
    }

    private sealed class InMemoryUpdate(ModelWeights weights, long samples, string? describe, ContentId? id = null) : ModelUpdate
    {
        private readonly Lazy<ContentId> _id = new(() => id ?? weights.ContentId());
        public override ContentId Id => _id.Value;
        public override long Samples => samples;
        public override string Describe => describe ?? Id.ToString();
        public override float[] ReadTensor(int index) => weights.Values[index];
    }

    private sealed class FileUpdate(ModelFileReader reader, ContentId id, long samples) : ModelUpdate
    {
        public override ContentId Id => id;
        public override long Samples => samples;
        public override string Describe => reader.Path;
        public override float[] ReadTensor(int index) => reader.ReadTensor(index);
        public override void Dispose() => reader.Dispose();
    }
}
