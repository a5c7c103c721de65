using System.CommandLine;
using SwarmFL.Crypto;
using SwarmFL.Node.Cli;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.Protocols.Identify;
using SwarmFL.P2P.Protocols.Ping;
using SwarmFL.P2P.PubSub;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl p2p …`: libp2p tools that work against any libp2p peer (ours or js/go-libp2p).</summary>
public sealed class P2PCommands : ICommandModule
{

    public IEnumerable<Command> CreateCommands()
    {
        var p2p = new Command("p2p", "libp2p tools: listen, ping, identify, publish");
        p2p.Subcommands.Add(Listen());
        p2p.Subcommands.Add(Ping());
        p2p.Subcommands.Add(Identify());
        GossipCli.AddTo(p2p); // `publish` (gossipsub)
        yield return p2p;
    }

    private static Command Listen()
    {
        var key = new Option<string>("--key") { Description = "Node key file (created with mode 0600 if it does not exist)", Required = true };
        var listen = new Option<string[]>("--listen")
        {
            Description = "Address to listen on, e.g. /ip4/127.0.0.1/tcp/4001 (repeatable; port 0 picks a free port)",
            DefaultValueFactory = _ => ["/ip4/127.0.0.1/tcp/0"],
        };
        var subscribe = GossipCli.CreateSubscribeOption();
        var limits = LimitsFile.CreateOption();
        var command = new Command("listen", "Run a libp2p peer: prints its full /p2p/ address first, then gossip it receives, until stopped")
            { key, listen, subscribe, limits };
        command.SetAction(async (parse, ct) =>
        {
            var nodeKey = KeyFile.LoadOrCreate(parse.GetValue(key)!);
            var addresses = parse.GetValue(listen)!.Select(text => Multiaddr.TryParse(text, out var a, out var error)
                ? a : throw new UserFacingException($"--listen: {error}")).ToArray();
            await using var host = new Libp2pHost(new NodeKeyIdentity(nodeKey), new HostOptions { Limits = LimitsFile.Load(parse.GetValue(limits)) });
            foreach (var address in addresses)
            {
                try { host.Listen(address); }
                catch (Exception e) when (e is ArgumentException or System.Net.Sockets.SocketException)
                {
                    throw new UserFacingException($"cannot listen on {address}: {e.Message}");
                }
            }
            foreach (var address in host.ListenAddresses) Console.WriteLine(address);
            Console.Out.Flush();

            var topics = parse.GetValue(subscribe) ?? [];
            await using var gossip = host.StartGossipSub();
            try
            {
                if (topics.Length > 0) await GossipCli.PrintMessagesAsync(gossip, topics, Console.Out, ct);
                else await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException) { }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Ping()
    {
        var address = new Argument<string>("MULTIADDR") { Description = "The peer, e.g. /ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…" };
        var count = new Option<int>("--count") { Description = "Number of pings", DefaultValueFactory = _ => 4 };
        var command = new Command("ping", "Ping a libp2p peer (/ipfs/ping/1.0.0), one RTT line per ping") { address, count };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(count);
            if (n < 1) throw new UserFacingException("--count must be at least 1");
            await using var host = new Libp2pHost(NodeKey.Generate(), new HostOptions { IdentifyOnConnect = false });
            var peer = await PeerDialer.DialAsync(host, parse.GetValue(address)!, ct);
            var seq = 0;
            try
            {
                await foreach (var rtt in PingProtocol.PingAsync(host, peer, n, ct))
                    Console.WriteLine($"ping {++seq}: {rtt.TotalMilliseconds:0.###} ms from {peer}");
            }
            catch (Exception e) when (e is IOException && !ct.IsCancellationRequested)
            {
                throw new UserFacingException($"ping to {peer} failed: {e.Message}", ExitCodes.CheckFailed, e);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Identify()
    {
        var address = new Argument<string>("MULTIADDR") { Description = "The peer, e.g. /ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…" };
        var command = new Command("identify", "Ask a libp2p peer who it is (/ipfs/id/1.0.0)") { address };
        command.SetAction(async (parse, ct) =>
        {
            await using var host = new Libp2pHost(NodeKey.Generate(), new HostOptions { IdentifyOnConnect = false });
            var peer = await PeerDialer.DialAsync(host, parse.GetValue(address)!, ct);
            IdentifyInfo info;
            try { info = await IdentifyProtocol.RequestAsync(host, peer, ct); }
            catch (Exception e) when (e is IOException && !ct.IsCancellationRequested)
            {
                throw new UserFacingException($"identify of {peer} failed: {e.Message}", ExitCodes.CheckFailed, e);
            }
            Console.WriteLine($"peer-id: {info.Peer}");
            Console.WriteLine($"agent-version: {info.AgentVersion}");
            Console.WriteLine($"protocol-version: {info.ProtocolVersion}");
            foreach (var protocol in info.Protocols) Console.WriteLine($"protocol: {protocol}");
            foreach (var listen in info.ListenAddresses) Console.WriteLine($"listen-addr: {listen}");
            if (info.ObservedAddress is not null) Console.WriteLine($"observed-addr: {info.ObservedAddress}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
