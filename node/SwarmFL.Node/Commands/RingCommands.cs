using System.CommandLine;
using SwarmFL.Crypto;
using SwarmFL.Node.Cli;
using SwarmFL.P2P.Hosting;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Clusters;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Network;
using SwarmFL.Ring.Network.Messages;
using SwarmFL.Ring.Simulation;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl ring …`: inspect a live Chord ring, compute clusters offline, run the ring simulation.</summary>
public sealed class RingCommands : ICommandModule
{
    private static readonly TimeSpan RpcTimeout = TimeSpan.FromSeconds(10);

    public IEnumerable<Command> CreateCommands()
    {
        var ring = new Command("ring", "The Chord ring: show a node's view, look up keys, clusters, simulation");
        ring.Subcommands.Add(Show());
        ring.Subcommands.Add(Lookup());
        ring.Subcommands.Add(Clusters());
        ring.Subcommands.Add(ClusterVectorsCommand());
        ring.Subcommands.Add(Simulate());
        ring.Subcommands.Add(RunNode());
        yield return ring;
    }

    private static Option<string> ViaOption() => new("--via") { Description = "A ring member's address, e.g. /ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…", Required = true };

    private static NodeRef ParseMember(string text)
    {
        try { return RingClient.Member(text); }
        catch (FormatException e) { throw new UserFacingException($"--via: {e.Message}"); }
    }

    private static async Task<T> Remote<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (PeerUnreachableException e) { throw new UserFacingException($"the ring member did not answer: {e.Message}", ExitCodes.Unavailable, e); }
        catch (InvalidAnswerException e) { throw new UserFacingException($"the ring member gave an invalid answer: {e.Message}", ExitCodes.CheckFailed, e); }
        catch (LookupFailedException e) { throw new UserFacingException(e.Message, ExitCodes.Unavailable, e); }
    }

    private static Command Show()
    {
        var via = ViaOption();
        var target = new Option<int>("--target") { Description = "Target cluster size for the cluster column", DefaultValueFactory = _ => 5 };
        var max = new Option<int>("--max-members") { Description = "Stop walking the ring after this many members", DefaultValueFactory = _ => 256 };
        var command = new Command("show", "Print the ring as one node sees it (predecessor, successors, fingers), then walk the ring and print its clusters")
            { via, target, max };
        command.SetAction(async (parse, ct) =>
        {
            var member = ParseMember(parse.GetValue(via)!);
            await using var host = new Libp2pHost(NodeKey.Generate(), new HostOptions { IdentifyOnConnect = false });
            var client = new RingClient(host, RpcTimeout);
            var view = await Remote(() => client.ViewAsync(member, ct));
            Console.WriteLine($"node:        {Describe(view.Self)}");
            Console.WriteLine($"predecessor: {(view.Predecessor is null ? "(none)" : Describe(view.Predecessor))}");
            for (var i = 0; i < view.Successors.Count; i++) Console.WriteLine($"successor {i,2}: {Describe(view.Successors[i])}");
            foreach (var finger in view.Fingers) Console.WriteLine($"finger {finger.Index,3}: {Describe(finger.Node)}");

            // walk successor pointers around the ring to list every member, starting from the view already fetched
            var members = new List<PeerId> { PeerId.FromBytes(view.Self.PeerId.Span) };
            var current = view;
            while (members.Count < parse.GetValue(max))
            {
                var successor = await Remote(() => Task.FromResult(RingClient.FirstSuccessor(current)));
                if (members.Contains(successor.Peer)) break;
                members.Add(successor.Peer);
                if (members.Count < parse.GetValue(max)) current = await Remote(() => client.ViewAsync(successor, ct));
            }
            Console.WriteLine($"ring: {members.Count} members; clusters with target size {parse.GetValue(target)}:");
            foreach (var cluster in ClusterAssignment.Assign(members, parse.GetValue(target)))
                Console.WriteLine($"cluster {cluster.Index}: from {cluster.ArcStart.ToShortString()}… {string.Join(" ", cluster.Members.Select(m => m.Peer))}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(PeerInfo info)
    {
        var peer = PeerId.FromBytes(info.PeerId.Span);
        return $"{RingId.Of(peer).ToShortString()}… {peer}";
    }

    private static Command Lookup()
    {
        var key = new Argument<string>("KEY") { Description = "A content id (bafkrei…), a PeerId (16Uiu2…) or a 64-hex-digit ring position" };
        var via = ViaOption();
        var command = new Command("lookup", "Find the owner of a key by an iterative Chord lookup starting at a member; prints the owner and the hop count")
            { key, via };
        command.SetAction(async (parse, ct) =>
        {
            var id = ParseKey(parse.GetValue(key)!);
            var member = ParseMember(parse.GetValue(via)!);
            await using var host = new Libp2pHost(NodeKey.Generate(), new HostOptions { IdentifyOnConnect = false });
            var client = new RingClient(host, RpcTimeout);
            var result = await Remote(() => client.LookupAsync(member, id, ct));
            Console.WriteLine($"key:   {id}");
            Console.WriteLine($"owner: {result.Owner.Peer} ({result.Owner.Id.ToShortString()}…)");
            Console.WriteLine($"hops:  {result.Hops}");
            foreach (var next in result.FollowingSuccessors) Console.WriteLine($"then:  {next.Peer} ({next.Id.ToShortString()}…)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static RingId ParseKey(string text)
    {
        if (ContentId.TryParse(text, out var cid)) return RingId.Of(cid);
        if (PeerId.TryParse(text, out var peer, out _)) return RingId.Of(peer);
        try { return RingId.Parse(text); }
        catch (FormatException) { throw new UserFacingException($"KEY: '{text}' is neither a content id, a PeerId nor 64 hex digits"); }
    }

    private static Command Clusters()
    {
        var target = new Option<int>("--target") { Description = "Target cluster size t ≥ 1 (docs/clusters.md)", Required = true };
        var peers = new Argument<string[]>("PEERID") { Description = "Members: base58 PeerIds or PeerId bytes as hex", Arity = ArgumentArity.OneOrMore };
        var command = new Command("clusters", "Split members into clusters exactly as the contract does (offline)") { target, peers };
        command.SetAction(parse =>
        {
            var t = parse.GetValue(target);
            if (t < 1) throw new UserFacingException("--target must be at least 1");
            var members = new List<PeerId>();
            foreach (var text in parse.GetValue(peers)!)
            {
                if (PeerId.TryParse(text, out var peer, out _)) members.Add(peer);
                else if (Hex.TryDecode(text, out var bytes) && bytes.Length > 0)
                {
                    try { members.Add(PeerId.FromBytes(bytes)); }
                    catch (FormatException e) { throw new UserFacingException($"'{text}': {e.Message}"); }
                }
                else throw new UserFacingException($"'{text}' is not a PeerId");
            }
            IReadOnlyList<Cluster> clusters;
            try { clusters = ClusterAssignment.Assign(members, t); }
            catch (ArgumentException e) { throw new UserFacingException(e.Message); }
            foreach (var cluster in clusters)
            foreach (var m in cluster.Members)
                Console.WriteLine($"{cluster.Index}\t{m.RingId}\t{m.Peer}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ClusterVectorsCommand()
    {
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1, Description = "Seed for the deterministic member keys" };
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 50, Description = "Number of cases" };
        var output = new Option<string?>("--out") { Description = "Write the JSON here instead of stdout" };
        var command = new Command("cluster-vectors", "Emit JSON test vectors (members, target, expected cluster per member) to cross-check the contract")
            { seed, count, output };
        command.SetAction(parse =>
        {
            var json = ClusterVectors.ToJson(ClusterVectors.Generate(parse.GetValue(seed), parse.GetValue(count)));
            if (parse.GetValue(output) is { } path) File.WriteAllText(path, json);
            else Console.WriteLine(json);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Simulate()
    {
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 2026 };
        var sizes = new Option<string>("--sizes") { DefaultValueFactory = _ => "100,1000", Description = "Ring sizes for the hop measurement, comma-separated" };
        var lookups = new Option<int>("--lookups") { DefaultValueFactory = _ => 2000 };
        var failureNodes = new Option<int>("--failure-nodes") { DefaultValueFactory = _ => 300 };
        var models = new Option<int>("--models") { DefaultValueFactory = _ => 200 };
        var output = new Option<string?>("--out") { Description = "Write the markdown report here (default: stdout)" };
        var command = new Command("simulate", "Run the in-memory ring simulation (hops, failures, joins) and print a markdown report")
            { seed, sizes, lookups, failureNodes, models, output };
        command.SetAction(async (parse, ct) =>
        {
            int[] ringSizes;
            try { ringSizes = parse.GetValue(sizes)!.Split(',').Select(int.Parse).ToArray(); }
            catch (FormatException) { throw new UserFacingException("--sizes: comma-separated integers, e.g. 100,1000"); }
            var commandLine = "swarmfl ring simulate " + string.Join(' ', Environment.GetCommandLineArgs().SkipWhile(a => a != "simulate").Skip(1));
            var report = await new RingExperiments(parse.GetValue(seed), Console.Error)
                .RunAllAsync(ringSizes, parse.GetValue(lookups), parse.GetValue(failureNodes), parse.GetValue(models), commandLine.TrimEnd());
            if (parse.GetValue(output) is { } path) await File.WriteAllTextAsync(path, report, ct);
            else Console.WriteLine(report);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RunNode()
    {
        var data = new Option<string>("--data") { Description = "Data directory (node key, models)", Required = true };
        var listen = new Option<string>("--listen") { DefaultValueFactory = _ => "/ip4/127.0.0.1/tcp/0" };
        var join = new Option<string?>("--join") { Description = "A member's address; omit to start a new ring" };
        var replicas = new Option<int>("--replicas") { DefaultValueFactory = _ => 3 };
        var command = new Command("node", "Run a bare ring member (Chord + replicated model store) until stopped")
            { data, listen, join, replicas };
        command.Hidden = true;
        command.SetAction(async (parse, ct) =>
        {
            await using var node = await RingNodeHost.StartAsync(new RingNodeOptions
            {
                DataDirectory = parse.GetValue(data)!,
                Listen = parse.GetValue(listen)!,
                Join = parse.GetValue(join),
                Replicas = parse.GetValue(replicas),
            }, ct: ct);
            Console.WriteLine(node.Address);
            Console.Out.Flush();
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { }
            await node.LeaveAsync(CancellationToken.None);
            return ExitCodes.Ok;
        });
        return command;
    }
}
