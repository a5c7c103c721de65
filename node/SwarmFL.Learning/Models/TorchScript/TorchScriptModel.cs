using SwarmFL.Learning.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace SwarmFL.Learning.Models.TorchScript;

/// <summary>
/// A model exported from PyTorch with <c>torch.jit.script</c> or <c>torch.jit.trace</c> and <c>torch.jit.save</c>,
/// loaded with <c>torch.jit.load</c> and trained in place. The chain pins the SHA-256 of the file's bytes.
/// </summary>
/// <remarks>
/// A TorchScript file is code: loading it runs what its author wrote. Callers decide whether a file may be loaded
/// (<see cref="ModelResolver"/>: a local file, or a fetched one with --trust-model or a matching local copy).
/// The module must take one tensor and return one tensor; its input shape is the data's (checked by a dry run).
/// Its genesis weights are the weights saved in the file, whatever the seed.
/// </remarks>
public sealed class TorchScriptModel : ModelDefinition
{
    /// <summary>The zip signature every TorchScript archive starts with.</summary>
    public static ReadOnlySpan<byte> Signature => "PK\u0003\u0004"u8;

    private readonly byte[] _bytes;
    private readonly string _path;
    private readonly Lazy<ModelWeights> _initial;

    public override string Name { get; }
    public override TensorLayout Layout { get; }

    private TorchScriptModel(string path, byte[] bytes, string name)
    {
        _path = path;
        _bytes = bytes;
        Name = name;
        using var module = LoadModule();
        Layout = ModelNetwork.LayoutOf(module, path);
        _initial = new(() =>
        {
            using var network = Build();
            return network.ReadWeights();
        });
    }

    public static bool LooksLikeTorchScript(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    /// <summary>Loads a TorchScript file (code: only for a file the caller trusts).</summary>
    public static TorchScriptModel Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the model file: {e.Message}", e);
        }
        if (!LooksLikeTorchScript(bytes)) throw new ModelFormatException($"{path}: not a TorchScript file (a zip archive written by torch.jit.save)");
        return new TorchScriptModel(Path.GetFullPath(path), bytes, Path.GetFileNameWithoutExtension(path));
    }

    public override ModelKind Kind => ModelKind.TorchScript;
    public override byte[] FileBytes => _bytes;
    public override IReadOnlyList<int>? InputShape => null;

    public override ModelNetwork Build() => new(LoadModule(), Layout, _path);

    public override ModelWeights Initial(ulong seed) => _initial.Value;

    private jit.ScriptModule<Tensor, Tensor> LoadModule()
    {
        try { return jit.load<Tensor, Tensor>(_path); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelFormatException($"{_path}: torch.jit.load cannot read it as TorchScript: {e.Message.Split('\n', 2)[0]}", e);
        }
    }
}
