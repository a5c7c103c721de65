using SwarmFL.Learning.Data;
using SwarmFL.Node.Devnet;
using SwarmFL.Ring.Storage;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Devnet;

public sealed class NodeCommandLineTests
{
    private static readonly DevnetOptions Options = new() { Nodes = 3, Rounds = 2, Partition = "shards:2", Epochs = 2, Batch = 20, LearningRate = 0.1 };
    private static readonly SwarmEndpoint Swarm = new("http://127.0.0.1:8545", "0x5FbDB2315678afecb367f032d93F642f64180aa3");

    private static string Value(IReadOnlyList<string> args, string flag)
    {
        var at = args.ToList().IndexOf(flag);
        Assert.True(at >= 0, $"{flag} missing from {string.Join(' ', args)}");
        return args[at + 1];
    }

    [Fact]
    public void Every_node_gets_its_own_part_data_dir_and_port_and_only_later_nodes_a_bootstrap_peer()
    {
        var ports = new Queue<int>([4101, 4102, 4103]);
        var slots = NodeSlot.Plan("/runs/x", 3, ports.Dequeue);
        var lines = slots.Select((s, i) => NodeCommandLine.Build(s, Options, Swarm, "/mnist", i == 0 ? null : "/ip4/127.0.0.1/tcp/4101/p2p/16Uiu2X")).ToList();

        Assert.All(lines, l => Assert.Equal("node", l[0]));
        Assert.Equal(["0", "1", "2"], lines.Select(l => Value(l, "--part")));
        Assert.All(lines, l => Assert.Equal("3", Value(l, "--parts")));
        Assert.Equal(3, lines.Select(l => Value(l, "--data-dir")).Distinct().Count());
        Assert.Equal(["/ip4/127.0.0.1/tcp/4101", "/ip4/127.0.0.1/tcp/4102", "/ip4/127.0.0.1/tcp/4103"], lines.Select(l => Value(l, "--listen")));
        Assert.DoesNotContain("--bootstrap", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Equal("/ip4/127.0.0.1/tcp/4101/p2p/16Uiu2X", Value(l, "--bootstrap")));
        Assert.All(lines, l =>
        {
            Assert.Equal("shards:2", Value(l, "--partition"));
            Assert.Equal("2", Value(l, "--rounds"));
            Assert.Equal("2", Value(l, "--epochs"));
            Assert.Equal("20", Value(l, "--batch"));
            Assert.Equal("0.1", Value(l, "--lr"));
            Assert.DoesNotContain("--test-data", l); // the launcher scores on the test set after the run
            Assert.Equal(Swarm.Contract, Value(l, "--contract"));
            Assert.Equal(Swarm.RpcUrl, Value(l, "--rpc"));
        });
    }

    [Fact]
    public void The_command_lines_parse_against_swarmfls_real_commands()
    {
        var root = Program.BuildRootCommand();
        var create = root.Parse(NodeCommandLine.CreateSwarm(Options, Swarm.RpcUrl, "/k/creator.key", "bafkreiesjgarl5h727p3e2khtcholfaq647lxkw4fbqhuxw76u74bzngca").ToArray());
        Assert.Empty(create.Errors);
        Assert.Equal("create", create.CommandResult.Command.Name);
        var limitsDirectory = Directory.CreateTempSubdirectory("swarmfl-limits").FullName;
        try
        {
            var limits = Path.Combine(limitsDirectory, "limits.json");
            SwarmFL.Node.Cli.LimitsFile.Save(new SwarmFL.P2P.Resources.ResourceLimits().SharingOneAddress(32), limits);
            Assert.Equal(new SwarmFL.P2P.Resources.ResourceLimits().SharingOneAddress(32), SwarmFL.Node.Cli.LimitsFile.Load(limits));
            var limited = NodeCommandLine.Build(NodeSlot.Plan("/runs/x", 1, () => 4101)[0], Options, Swarm, "/mnist", null, limitsFile: limits);
            Assert.Equal(limits, Value(limited, "--limits"));
            Assert.Empty(root.Parse(limited.ToArray()).Errors);
        }
        finally
        {
            Directory.Delete(limitsDirectory, recursive: true);
        }
        var windowed = NodeCommandLine.CreateSwarm(Options with { ObjectionWindowSeconds = 3 }, Swarm.RpcUrl, "/k/creator.key", "bafkreiesjgarl5h727p3e2khtcholfaq647lxkw4fbqhuxw76u74bzngca");
        Assert.Equal("3", Value(windowed, "--objection-window"));
        Assert.Empty(root.Parse(windowed.ToArray()).Errors);

        // `swarmfl node` and `swarmfl audit` are checked once they exist in the CLI.
        var slot = NodeSlot.Plan("/runs/x", 1, () => 4101)[0];
        foreach (var args in new[] { NodeCommandLine.Build(slot, Options, Swarm, "/mnist", "/ip4/127.0.0.1/tcp/1/p2p/16Uiu2X"), NodeCommandLine.Audit(Swarm, [slot]) })
        {
            if (root.Subcommands.All(c => c.Name != args[0])) continue;
            var parse = root.Parse(args.ToArray());
            Assert.True(parse.Errors.Count == 0, $"{string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void Reads_the_contract_address_from_swarm_creates_output()
    {
        Assert.Equal("0xAbC", NodeCommandLine.ParseContractAddress("contract: 0xAbC\nchain-id: 31337\n"));
        Assert.Null(NodeCommandLine.ParseContractAddress("error: something\n"));
    }

    [Fact]
    public void The_baselines_partition_is_the_one_the_nodes_are_told_to_use_and_its_parts_are_disjoint()
    {
        RepoPaths.RequireNodeModules();
        var labels = MnistDataset.Load(RepoPaths.MnistData, MnistSplit.Train).Labels;
        var parts = Partitioner.Parse("iid").Split(labels, 4, NodeCommandLine.PartitionSeed);
        Assert.Equal(labels.Length, parts.Sum(p => p.Length));
        Assert.Equal(labels.Length, parts.SelectMany(p => p).Distinct().Count());
    }

    [Fact]
    public void The_genesis_file_lands_where_a_nodes_disk_blob_store_finds_it()
    {
        var dataDir = Directory.CreateTempSubdirectory("swarmfl-devnet-genesis").FullName;
        try
        {
            var genesis = GenesisModel.Create("mnist-2nn", 1);
            genesis.PlaceInDataDirectory(dataDir);
            var store = new DiskBlobStore(Path.Combine(dataDir, "models"));
            Assert.True(store.Contains(genesis.Id));
            Assert.Equal(genesis.File, store.TryRead(genesis.Id));
            Assert.Equal(genesis.Id, GenesisModel.Create("mnist-2nn", 1).Id); // a seed names the same model every time
            Assert.NotEqual(genesis.Id, GenesisModel.Create("mnist-2nn", 2).Id);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
