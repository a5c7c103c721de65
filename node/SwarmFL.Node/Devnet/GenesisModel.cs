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
    public static GenesisModel Create(string model, ulong seed)
    {
        var weights = ModelWeights.Initial(ModelSpec.ByName(model), seed);
        var file = SafeTensors.Encode(weights);
        return new GenesisModel(weights, file, ContentId.Of(file));
    }

    public void WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        System.IO.File.WriteAllBytes(path, File);
    }

    public void PlaceInDataDirectory(string dataDirectory) => new DiskBlobStore(Path.Combine(dataDirectory, "models")).Put(Id, File);
}
