using System.Security.Cryptography;
using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Models.BuiltIn;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Which model a node trains: the swarm pins one by hash on chain. A node started with a model checks it against that
/// hash (in <see cref="SwarmNode"/>); a node started without one (<c>swarmfl join</c>) takes a built-in whose hash
/// matches, or fetches the model file by the content id of the same digest from its peers, checks it, and keeps it in
/// &lt;data-dir&gt;/model/. A fetched TorchScript file is code and is loaded only when the user trusts it.
/// </summary>
public static class PinnedModel
{
    public const string Folder = "model";

    public static async Task<ModelDefinition> ResolveAsync(SwarmNodeOptions options, SwarmConfig config, NetworkModelExchange models,
        string dataDirectory, Serilog.ILogger log, CancellationToken ct)
    {
        if (options.Model is { } local) return local;
        // With a data spec the chain pins the spec's hash, and the spec names the model's.
        var hash = options.DataSpec.ModelHashPinnedBy(config.ModelSpecHash);
        if (BuiltInModel.All.FirstOrDefault(m => m.Hash().AsSpan().SequenceEqual(hash)) is { } builtIn)
        {
            log.Information("The swarm trains the built-in model {Model}", builtIn.Name);
            return builtIn;
        }
        var id = ContentId.FromDigest(hash);
        var path = Path.Combine(dataDirectory, Folder, id.ToString());
        byte[] bytes;
        if (File.Exists(path) && SHA256.HashData(File.ReadAllBytes(path)).AsSpan().SequenceEqual(hash))
        {
            bytes = File.ReadAllBytes(path);
        }
        else
        {
            if (options.Bootstrap is { } bootstrap && Multiaddr.TryParse(bootstrap, out var address, out _) && address.PeerId is { } peer)
                models.NoteHolder(id, peer);
            bytes = await FetchAsync(models, id, log, ct);
            // The exchange checks the digest of what it receives; checked again here because this file may be code.
            if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(hash))
                throw new InvalidOperationException($"the model file fetched as {id} does not hash to the swarm's pinned model hash {Hex.Encode(hash)}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".tmp";
            await File.WriteAllBytesAsync(temp, bytes, ct);
            File.Move(temp, path, overwrite: true);
            log.Information("Fetched the swarm's model file {Model} ({Bytes} bytes) from its peers", id, bytes.Length);
        }
        var model = ModelResolver.FromFetched(path, options.TrustModel);
        log.Information("The swarm trains {Model} ({Kind}, {Hash})", model.Name, model.Kind, model.HashHex);
        return model;
    }

    /// <summary>Just after joining, the ring may still be settling: a few tries with back-off before giving up.</summary>
    private static async Task<byte[]> FetchAsync(NetworkModelExchange models, ContentId id, Serilog.ILogger log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await models.GetAsync(id, ct); }
            catch (ModelUnavailableException e) when (attempt < 8)
            {
                log.Warning("The swarm's model file {Model} is not reachable yet ({Reason}); retrying", id, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), ct);
            }
        }
    }
}
