using System.CommandLine;
using System.Text;
using SwarmFL.Crypto;
using SwarmFL.Node.Cli;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.PubSub;

namespace SwarmFL.Node.Commands;

/// <summary>
/// Gossip tools under `swarmfl p2p` (the `p2p` command itself is the libp2p core's, in P2PCommands): `publish`, and
/// the `--subscribe` printing of `p2p listen`.
/// </summary>
public static class GossipCli
{
    /// <summary>Adds `publish` to the `p2p` command.</summary>
    public static void AddTo(Command p2p) => p2p.Subcommands.Add(Publish());

    /// <summary>The repeatable `--subscribe TOPIC` option for `p2p listen`.</summary>
    public static Option<string[]> CreateSubscribeOption() => new("--subscribe")
    {
        Description = "Join this gossip topic and print one line per message: TOPIC FROM DATA (repeatable)",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };

    /// <summary>
    /// For `p2p listen --subscribe`: joins the topics and prints `TOPIC FROM DATA` per message until cancelled. DATA is the
    /// UTF-8 text, or 0x-hex when the payload is not printable text.
    /// </summary>
    public static async Task PrintMessagesAsync(GossipSub gossip, IReadOnlyList<string> topics, TextWriter output, CancellationToken ct)
    {
        var readers = topics.Distinct(StringComparer.Ordinal).Select(gossip.Subscribe).ToList();
        await Task.WhenAll(readers.Select(async reader =>
        {
            try
            {
                await foreach (var message in reader.ReadAllAsync(ct))
                    lock (output) { output.WriteLine($"{message.Topic} {message.From} {FormatData(message.Data.Span)}"); output.Flush(); }
            }
            catch (OperationCanceledException) { }
        }));
    }

    public static string FormatData(ReadOnlySpan<byte> data)
    {
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
            if (!text.Any(char.IsControl)) return text;
        }
        catch (DecoderFallbackException) { }
        return "0x" + Hex.Encode(data.ToArray());
    }

    private static Command Publish()
    {
        var address = new Argument<string>("MULTIADDR") { Description = "The peer to publish through, e.g. /ip4/127.0.0.1/tcp/4001/p2p/16Uiu2…" };
        var topic = new Option<string>("--topic") { Description = "The gossip topic", Required = true };
        var data = new Option<string>("--data") { Description = "The message text (sent as UTF-8)", Required = true };
        var keyFile = new Option<string?>("--key") { Description = "Sign as this node key (default: a fresh throw-away key)" };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for the peer to announce the topic", DefaultValueFactory = _ => 10 };
        var command = new Command("publish", "Connect to a peer, publish one signed gossip message, and exit") { address, topic, data, keyFile, wait };
        command.SetAction(async (parse, ct) =>
        {
            var topicName = parse.GetValue(topic)!;
            var payload = Encoding.UTF8.GetBytes(parse.GetValue(data)!);
            var key = parse.GetValue(keyFile) is { } path ? KeyFile.Load(path) : NodeKey.Generate();

            await using var host = new Libp2pHost(new NodeKeyIdentity(key));
            var remote = await PeerDialer.DialAsync(host, parse.GetValue(address)!, ct);

            var gossip = host.StartGossipSub();
            try
            {
                // The peer forwards only topics it has joined; wait until it says it has.
                var deadline = DateTime.UtcNow.AddSeconds(parse.GetValue(wait));
                while (!(await gossip.GetTopicPeersAsync(topicName)).Contains(remote))
                {
                    if (DateTime.UtcNow > deadline)
                        throw new UserFacingException($"{remote} did not announce topic '{topicName}' within {parse.GetValue(wait)} s; nothing was published", ExitCodes.Unavailable);
                    await Task.Delay(50, ct);
                }
                PublishResult result;
                try { result = await gossip.PublishAsync(topicName, payload, ct); }
                catch (ArgumentException e) { throw new UserFacingException(e.Message); }
                Console.WriteLine($"published {result.Id} on {topicName} to {result.Peers} peer(s) as {key.PeerId}");
            }
            finally
            {
                await gossip.DisposeAsync(); // drains the outbound queues before the connection closes
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
