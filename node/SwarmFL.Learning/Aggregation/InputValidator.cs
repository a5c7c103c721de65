using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// Checks each input of a merge on its own, before any strategy sees it: the exact byte size the layout implies, the
/// layout itself (names, shapes, dtypes, offsets), finite values, a positive sample count and, when the swarm sets
/// one, the norm of the update from the base model. An input that fails is rejected with its reason; the others are
/// unaffected, so no single input can veto a merge.
/// </summary>
public sealed class InputValidator
{
    private readonly TensorLayout _layout;
    private readonly double? _normBound;
    private readonly ModelWeights? _baseModel;

    /// <summary>The exact size of a canonical model file of this layout: header and float32 data.</summary>
    public long ExpectedSize { get; }

    /// <param name="normBound">The bound on ‖update − base‖₂; needs <paramref name="baseModel"/>.</param>
    public InputValidator(TensorLayout layout, double? normBound = null, ModelWeights? baseModel = null)
    {
        if (normBound is { } b && !(b > 0)) throw new ArgumentException($"the update norm bound must be positive, got {b}");
        if (normBound is not null && baseModel is null) throw new ArgumentException("an update norm bound needs the base model");
        _layout = layout;
        _normBound = normBound;
        _baseModel = baseModel;
        ExpectedSize = SafeTensors.FileSize(layout);
    }

    /// <summary>Checks a model held in memory (a fetched input); on success <paramref name="update"/> holds it decoded.</summary>
    public InputRejection? Check(ContentId id, ReadOnlySpan<byte> bytes, long samples, out ModelUpdate? update, string? describe = null)
    {
        update = null;
        var name = describe ?? id.ToString();
        if (samples <= 0) return new InputRejection(name, id, RejectionReason.BadSamples, $"sample count must be positive, got {samples}");
        if (bytes.Length != ExpectedSize)
            return new InputRejection(name, id, RejectionReason.WrongSize, $"{bytes.Length} bytes, the model's files are exactly {ExpectedSize}");
        ModelWeights weights;
        try { weights = SafeTensors.Decode(bytes, _layout, name); }
        catch (ModelFileException e) { return new InputRejection(name, id, RejectionReason.WrongLayout, e.Message); }
        var candidate = ModelUpdate.InMemory(weights, samples, id, name);
        var rejection = CheckValues(candidate);
        if (rejection is null) update = candidate;
        return rejection;
    }

    /// <summary>Checks a model file on disk (the merge command); on success <paramref name="update"/> reads it lazily.</summary>
    public InputRejection? CheckFile(string path, long samples, out ModelUpdate? update)
    {
        update = null;
        if (samples <= 0) return new InputRejection(path, null, RejectionReason.BadSamples, $"sample count must be positive, got {samples}");
        long length;
        try { length = new FileInfo(path).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new InputRejection(path, null, RejectionReason.Unavailable, $"cannot read the file: {e.Message}");
        }
        if (length != ExpectedSize)
            return new InputRejection(path, null, RejectionReason.WrongSize, $"{length} bytes, the model's files are exactly {ExpectedSize}");
        ModelUpdate candidate;
        try { candidate = ModelUpdate.FromFile(path, _layout, samples); }
        catch (ModelFileException e) { return new InputRejection(path, null, RejectionReason.WrongLayout, e.Message); }
        InputRejection? rejection;
        try { rejection = CheckValues(candidate); }
        catch (ModelFileException e) { rejection = new InputRejection(path, candidate.Id, RejectionReason.WrongLayout, e.Message); }
        if (rejection is null) update = candidate;
        else candidate.Dispose();
        return rejection;
    }

    /// <summary>Scans every tensor once: finite values, the expected lengths and the norm bound.</summary>
    public InputRejection? CheckValues(ModelUpdate update)
    {
        double squaredNorm = 0;
        for (var t = 0; t < _layout.Tensors.Count; t++)
        {
            var spec = _layout.Tensors[t];
            var values = update.ReadTensor(t);
            if (values.LongLength != spec.ElementCount)
                return new InputRejection(update.Describe, update.Id, RejectionReason.WrongLayout,
                    $"tensor {spec.Name} has {values.Length} values, the model needs {spec.ElementCount} {spec.ShapeText}");
            if (!Kernels.AllFinite(values))
            {
                var i = Array.FindIndex(values, x => !float.IsFinite(x));
                return new InputRejection(update.Describe, update.Id, RejectionReason.NonFinite,
                    $"tensor {spec.Name} holds a non-finite value ({values[i]}) at element {i}");
            }
            if (_baseModel is not null) squaredNorm += Kernels.SquaredDistance(values, _baseModel.Values[t]);
        }
        if (_normBound is { } bound && Math.Sqrt(squaredNorm) is var norm && norm > bound)
            return new InputRejection(update.Describe, update.Id, RejectionReason.NormBound, $"‖update − base‖ = {norm:G6} > bound {bound:G6}");
        return null;
    }
}
