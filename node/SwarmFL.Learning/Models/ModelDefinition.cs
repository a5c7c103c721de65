using System.Security.Cryptography;
using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Models;

/// <summary>How a model is described: a built-in name, a declarative JSON file, or a TorchScript file (code).</summary>
public enum ModelKind { BuiltIn, Declarative, TorchScript }

/// <summary>
/// What a swarm trains, whatever its source: the one abstraction the trainer, evaluation, genesis, merge checks and the
/// swarm use. It builds the TorchSharp module, gives the strict tensor layout (name, shape and dtype of every parameter
/// and buffer), and names the bytes the swarm pins and serves.
/// </summary>
/// <remarks>
/// <see cref="FileBytes"/> is what the chain pins: <see cref="Hash"/> is their SHA-256, and the model file's content id
/// is the CID of the same digest, so a node that knows the pinned hash can fetch the file by content id and check it.
/// For a built-in model the bytes are its canonical spec JSON (so its hash is today's model spec hash), for a JSON
/// model the canonical form, for TorchScript the file as exported.
/// </remarks>
public abstract class ModelDefinition
{
    public abstract ModelKind Kind { get; }

    public abstract string Name { get; }

    /// <summary>The bytes the swarm pins, stores and serves.</summary>
    public abstract byte[] FileBytes { get; }

    /// <summary>SHA-256 of <see cref="FileBytes"/>: the 32 bytes the chain stores as the model spec hash.</summary>
    public byte[] Hash() => SHA256.HashData(FileBytes);

    public string HashHex => "0x" + Convert.ToHexStringLower(Hash());

    /// <summary>The content id of the model file (<see cref="FileBytes"/>), the same digest as <see cref="Hash"/>.</summary>
    public ContentId FileId => ContentId.FromDigest(Hash());

    /// <summary>Every tensor of the model (parameters and buffers), in canonical order.</summary>
    public abstract TensorLayout Layout { get; }

    /// <summary>The per-sample input shape (no batch dimension), or null when the model does not say (TorchScript: the data's shape is tried).</summary>
    public abstract IReadOnlyList<int>? InputShape { get; }

    /// <summary>The input's element type: float32, or int64 for token ids.</summary>
    public virtual ScalarType InputType => ScalarType.Float32;

    /// <summary>True when training draws from libtorch's generator (dropout), which the trainer then seeds per run.</summary>
    public virtual bool UsesRandomness => true;

    /// <summary>True when loading the model runs code from its file (TorchScript): a node loads a fetched one only when trusted.</summary>
    public bool IsCode => Kind == ModelKind.TorchScript;

    /// <summary>A fresh network of this model, with its own (not yet meaningful) weights.</summary>
    public abstract ModelNetwork Build();

    /// <summary>The genesis weights for a seed: the same bytes on every node.</summary>
    public abstract ModelWeights Initial(ulong seed);

    /// <summary>
    /// One forward pass of a batch of two zero samples of <paramref name="sampleShape"/>, in eval mode: proves the model
    /// accepts the data before any training. Returns the per-sample output shape.
    /// </summary>
    /// <exception cref="ModelFormatException">The model refuses inputs of that shape or type.</exception>
    public IReadOnlyList<int> DryRun(IReadOnlyList<int> sampleShape, ScalarType? inputType = null)
    {
        if (InputShape is { } expected && !expected.SequenceEqual(sampleShape))
            throw new ModelFormatException($"model {Name} takes samples of shape [{string.Join(",", expected)}], the data has [{string.Join(",", sampleShape)}]");
        var type = inputType ?? InputType;
        using var network = Build();
        network.Module.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var input = zeros([2, .. sampleShape.Select(d => (long)d)], type);
        Tensor output;
        try { output = network.Forward(input); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelFormatException($"model {Name} does not accept a batch of samples of shape [{string.Join(",", sampleShape)}] ({type}): {FirstLine(e.Message)}", e);
        }
        if (output.dim() == 0 || output.shape[0] != 2)
            throw new ModelFormatException($"model {Name} returned shape [{string.Join(",", output.shape)}] for a batch of 2; its output must keep the batch dimension first");
        return output.shape.Skip(1).Select(d => (int)d).ToArray();
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    public override string ToString() => $"{Name} ({Kind}, {HashHex})";
}
