using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Node.Devnet;

/// <summary>
/// Round 1's base model: the spec's seeded initial weights as a canonical safetensors file. A node's model store is a
/// SwarmFL.Ring DiskBlobStore over &lt;data-dir&gt;/models; putting the file into that store before the node starts is how
/// the node gets it.
/// </summary>
public sealed record GenesisModel(ModelWeights Weights, byte[] File, ContentId Id)
{
    /// <summary>The model file itself (JSON or TorchScript) is placed next to the weights, so the node can serve it.</summary>
    public ModelDefinition? Model { get; init; }

    public static GenesisModel Create(string model, ulong seed) => Create(ModelResolver.Resolve(model), seed);

    public static GenesisModel Create(ModelDefinition model, ulong seed)
    {
        var weights = model.Initial(seed);
        var file = SafeTensors.Encode(weights);
        return new GenesisModel(weights, file, ContentId.Of(file)) { Model = model };
    }

    public void WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        System.IO.File.WriteAllBytes(path, File);
    }

    public void PlaceInDataDirectory(string dataDirectory)
    {
        var store = new DiskBlobStore(Path.Combine(dataDirectory, "models"));
        store.Put(Id, File);
        if (Model is { Kind: not ModelKind.BuiltIn } model) store.Put(model.FileId, model.FileBytes);
    }
}
