using SwarmFL.Crypto;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Node.Devnet;

/// <summary>
/// Round 1's base model: the spec's seeded initial weights as a canonical safetensors file. A node's model store is a
/// SwarmFL.Ring DiskBlobStore over &lt;data-dir&gt;/models, which keeps each blob at blobs/&lt;cid&gt; and indexes
/// (after re-hashing) any file it finds there on open; so placing the file there is how a node gets it before it starts.
/// </summary>
public sealed record GenesisModel(ModelWeights Weights, byte[] File, ContentId Id)
{
    public static GenesisModel Create(string model, ulong seed)
    {
        var weights = ModelWeights.Initial(ModelSpec.ByName(model), seed);
        var file = SafeTensors.Encode(weights);
        return new GenesisModel(weights, file, ContentId.Of(file));
    }

    public static string StorePath(string dataDirectory, ContentId id) => Path.Combine(dataDirectory, "models", "blobs", id.ToString());

    public void WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        System.IO.File.WriteAllBytes(path, File);
    }

    public void PlaceInDataDirectory(string dataDirectory) => WriteTo(StorePath(dataDirectory, Id));
}
