using System.CommandLine;
using System.Text.Json;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Models;
using SwarmFL.Node.Cli;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.Ring.Storage;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Swarm.Audit;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl audit`: the swarm's model lineage from the contract's events, re-checked.</summary>
public sealed class AuditCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var rpc = new Option<string>("--rpc") { Description = "Chain JSON-RPC URL", Required = true };
        var contract = new Option<string>("--contract") { Description = "The swarm's SwarmCoordinator address", Required = true };
        var verify = new Option<bool>("--verify") { Description = "Fetch the weights it can reach, check every content id and recompute every merge bit for bit" };
        var json = new Option<bool>("--json") { Description = "Print the lineage and findings as JSON" };
        var dataDirs = new Option<string[]>("--data-dirs") { Description = "Node data directories whose model stores to read (comma-separated or repeated)", AllowMultipleArgumentsPerToken = true };
        var via = new Option<string[]>("--via") { Description = "Peers to fetch models from (/ip4/…/tcp/…/p2p/…)", AllowMultipleArgumentsPerToken = true };
        var dataSpec = new Option<string?>("--data-spec") { Description = "The swarm's data spec, when it has one (its hash is pinned with the model's; it names the metric the commits carry)" };
        var command = new Command("audit", "Print the swarm's model history from chain events and check it; exits 1 naming the round, cluster and leader of any failure")
            { rpc, contract, verify, json, dataDirs, via, dataSpec };
        command.SetAction(async (parse, ct) =>
        {
            var eth = new EthClient(new JsonRpcClient(parse.GetValue(rpc)!));
            SwarmCoordinator swarm;
            SwarmHistory history;
            try
            {
                swarm = await SwarmCoordinator.AttachAsync(eth, EthereumAddress.Parse(parse.GetValue(contract)!), ct: ct);
                history = await ChainHistoryReader.ReadAsync(swarm, ct);
            }
            catch (ChainRpcException e) { throw new UserFacingException(e.Message, ExitCodes.Unavailable, e); }
            catch (NoContractCodeException e) { throw new UserFacingException(e.Message, ExitCodes.BadInput, e); }

            var data = parse.GetValue(dataSpec) is { } specPath ? SwarmFL.Learning.Data.DataSpec.Read(specPath) : SwarmFL.Learning.Data.DataSpec.Mnist;
            await using var models = new AuditModelSource(Split(parse.GetValue(dataDirs)), Split(parse.GetValue(via)));
            var doVerify = parse.GetValue(verify);
            IMergeEngine? merger = null;
            if (doVerify)
            {
                var swarmConfig = await swarm.ConfigAsync(ct);
                // A swarm pinned with a data spec pins the spec's hash; the spec names the model by its hash.
                if (!data.IsDefault) swarmConfig = swarmConfig with { ModelSpecHash = RequirePinnedSpec(data, swarmConfig.ModelSpecHash) };
                await models.ConnectAsync(ct);
                merger = new LearningMergeEngine(await PinnedLayoutAsync(swarmConfig, models, ct));
            }
            var report = await new Auditor(models, merger).AuditAsync(history, doVerify, ct);

            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { history, report }, new JsonSerializerOptions { WriteIndented = true, Converters = { new ContentIdJson(), new AddressJson() } }));
            else
            {
                Console.Write(LineagePrinter.Print(history, data.Metric));
                foreach (var finding in report.Findings) Console.WriteLine(finding);
                Console.WriteLine(report.Passed
                    ? $"audit passed: {history.Rounds.Count} rounds, {report.HashesChecked} content ids checked, {report.MergesRecomputed} merges recomputed"
                    : $"audit FAILED: {report.Failures.Count()} problem(s)");
            }
            return report.Passed ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        yield return command;
    }

    /// <summary>
    /// The tensor layout merges are recomputed against: a built-in's, a JSON model's (fetched by the content id of the
    /// pinned hash and checked against it), or for TorchScript the genesis model's header: the audit never runs model code.
    /// </summary>
    private static async Task<TensorLayout> PinnedLayoutAsync(SwarmFL.Chain.Contracts.SwarmConfig config, IModelExchange models, CancellationToken ct)
    {
        var hash = config.ModelSpecHash;
        if (ModelSpec.BuiltIn.FirstOrDefault(s => s.Hash().AsSpan().SequenceEqual(hash)) is { } builtIn) return builtIn.Layout();
        byte[] file;
        try { file = await models.GetAsync(ContentId.FromDigest(hash), ct); }
        catch (ModelUnavailableException e)
        {
            throw new UserFacingException($"the swarm's model file {ContentId.FromDigest(hash)} is in no given store and no peer served it ({e.Message}); pass --data-dirs or --via of a member (and --data-spec, if the swarm was created with one)", ExitCodes.Unavailable, e);
        }
        if (!System.Security.Cryptography.SHA256.HashData(file).AsSpan().SequenceEqual(hash))
            throw new UserFacingException($"the model file served as {ContentId.FromDigest(hash)} does not hash to the pinned {Hex.Encode(hash)}", ExitCodes.CheckFailed);
        if (SwarmFL.Learning.Models.TorchScript.TorchScriptModel.LooksLikeTorchScript(file))
        {
            var genesis = await models.GetAsync(ContentId.FromDigest(config.GenesisModel), ct);
            var temp = Path.GetTempFileName();
            try
            {
                await File.WriteAllBytesAsync(temp, genesis, ct);
                return SwarmFL.Learning.ModelFiles.ModelFileReader.ReadLayout(temp);
            }
            finally { File.Delete(temp); }
        }
        try { return SwarmFL.Learning.Models.Declarative.DeclarativeModel.Parse(file, $"model file {ContentId.FromDigest(hash)}").Layout; }
        catch (ModelFormatException e) { throw new UserFacingException(e.Message, ExitCodes.CheckFailed, e); }
    }

    private static byte[] RequirePinnedSpec(SwarmFL.Learning.Data.DataSpec data, byte[] pinned)
    {
        try { return data.ModelHashPinnedBy(pinned); }
        catch (FormatException e) { throw new UserFacingException(e.Message, ExitCodes.CheckFailed, e); }
    }

    private static string[] Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    /// <summary>
    /// Models from local node stores first, then from peers over /swarmfl/model. The stores are read as files, never
    /// opened as stores: opening one would clean up, re-index and quarantine in a directory a running node may own. A
    /// copy that does not match its id is passed on only when no store or peer has a good one, so the audit reports it.
    /// </summary>
    private sealed class AuditModelSource(string[] dataDirs, string[] peers) : IModelExchange, IAsyncDisposable
    {
        private readonly string[] _storeDirectories = dataDirs.Select(d => Path.Combine(d, "models")).ToArray();
        private readonly List<PeerId> _peers = [];
        private Libp2pHost? _host;

        public async Task ConnectAsync(CancellationToken ct)
        {
            if (peers.Length == 0) return;
            _host = new Libp2pHost(NodeKey.Generate(), new HostOptions { IdentifyOnConnect = false });
            foreach (var peer in peers)
            {
                try { _peers.Add(await PeerDialer.DialAsync(_host, peer, ct)); }
                catch (UserFacingException e) { Console.Error.WriteLine($"warning: {e.Message}"); }
            }
        }

        public Task<ContentId> PutAsync(ReadOnlyMemory<byte> model, CancellationToken ct) => throw new NotSupportedException("the audit only reads");

        public async Task<byte[]> GetAsync(ContentId id, CancellationToken ct)
        {
            byte[]? mismatched = null;
            foreach (var directory in _storeDirectories)
            {
                if (DiskBlobStore.ReadUnverified(directory, id) is not { } bytes) continue;
                if (id.Matches(bytes)) return bytes;
                mismatched ??= bytes;
            }
            foreach (var peer in _peers)
            {
                try { return await ModelProtocol.FetchAsync(_host!, peer, id, 256L * 1024 * 1024, ct); }
                catch (IOException) { }
            }
            return mismatched ?? throw new ModelUnavailableException(id, "in none of the given data directories or peers");
        }

        public async ValueTask DisposeAsync()
        {
            if (_host is not null) await _host.DisposeAsync();
        }
    }

    private sealed class ContentIdJson : System.Text.Json.Serialization.JsonConverter<ContentId>
    {
        public override ContentId Read(ref Utf8JsonReader reader, Type type, JsonSerializerOptions options) => ContentId.Parse(reader.GetString()!);
        public override void Write(Utf8JsonWriter writer, ContentId value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }

    private sealed class AddressJson : System.Text.Json.Serialization.JsonConverter<EthereumAddress>
    {
        public override EthereumAddress Read(ref Utf8JsonReader reader, Type type, JsonSerializerOptions options) => EthereumAddress.Parse(reader.GetString()!);
        public override void Write(Utf8JsonWriter writer, EthereumAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
