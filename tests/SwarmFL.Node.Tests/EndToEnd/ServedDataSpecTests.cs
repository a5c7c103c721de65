using System.Text.RegularExpressions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Data;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Network.Messages;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// `swarmfl join` without --data-spec takes the data spec its peer serves only when its hash is the one the chain pins:
/// a peer that serves a tampered spec (here: another headline metric) is refused before anything is registered. The
/// honest case, a joiner training with the served spec, is <see cref="CsvSwarmTests"/>.
/// </summary>
public sealed class ServedDataSpecTests : IAsyncLifetime
{
    private readonly HardhatNode _hardhat = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-served-spec").FullName;
    private Libp2pHost? _liar;

    public Task InitializeAsync() => _hardhat.InitializeAsync();

    public async Task DisposeAsync()
    {
        if (_liar is not null) await _liar.DisposeAsync();
        await _hardhat.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }


    [Fact]
    public async Task A_joiner_refuses_a_data_spec_that_the_chain_does_not_pin()
    {
        var python = await ProcessRunner.RunAsync("python3", [Path.Combine(RepoPaths.Root, "examples", "tabular-csv", "make_data.py"), _dir, "--rows", "200"]);
        Assert.True(python.ExitCode == 0, python.StdErr);
        var train = Path.Combine(_dir, "train.csv");
        var model = Path.Combine(RepoPaths.Root, "examples", "tabular-csv", "model.json");
        var spec = Path.Combine(_dir, "spec.json");
        await SwarmflProcess.OutputOfAsync("data-spec", "--model", model, "--data", train, "--out", spec);
        var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", model, "--seed", "1"), "bafkrei[a-z2-7]+").Value;
        var key = Path.Combine(_dir, "deployer.key");
        await SwarmflProcess.OutputOfAsync("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", key);
        var created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", _hardhat.RpcUrl, "--key", key, "--min-peers", "2",
            "--model", model, "--data-spec", spec, "--genesis-model", genesis);
        var contract = Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value;

        var pinned = DataSpec.Read(spec);
        var tampered = pinned with { Metric = SwarmFL.Learning.Metrics.Metric.MacroF1 };
        Assert.NotEqual(pinned.Canonical(), tampered.Canonical());
        _liar = new Libp2pHost(NodeKey.Generate());
        _liar.Listen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"));
        SwarmInfoProtocol.Serve(_liar, () => new SwarmInfo
        {
            ChainId = 31337, RpcUrl = _hardhat.RpcUrl, Contract = contract, DataSpecJson = tampered.Canonical(),
            PeerId = _liar.LocalPeerId.ToString(), Status = new NodeStatusInfo(),
        });
        var address = $"{_liar.ListenAddresses[0].WithoutPeerId()}/p2p/{_liar.LocalPeerId}";

        var join = await SwarmflProcess.RunAsync("join", address, "--data-dir", Path.Combine(_dir, "joiner"), "--data", train, "--rounds", "1");

        Assert.True(join.ExitCode == 3, $"exit {join.ExitCode}\n{join.StdOut}\n{join.StdErr}");
        Assert.Contains("not the one the swarm", join.StdErr);
        Assert.DoesNotContain("data spec:", join.StdOut);
    }
}
