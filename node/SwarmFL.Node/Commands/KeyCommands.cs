using System.CommandLine;
using SwarmFL.Crypto;
using SwarmFL.Node.Cli;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl key …`: the node's secp256k1 key, which is both its PeerId and its Ethereum address.</summary>
public sealed class KeyCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var key = new Command("key", "Create, import and inspect node keys");
        key.Subcommands.Add(New());
        key.Subcommands.Add(Import());
        key.Subcommands.Add(Show());
        yield return key;
    }

    private static Command New()
    {
        var output = new Option<string>("--out") { Description = "Where to write the key (created with mode 0600; never overwritten)", Required = true };
        var command = new Command("new", "Generate a new secp256k1 node key") { output };
        command.SetAction(parse =>
        {
            var nodeKey = NodeKey.Generate();
            KeyFile.Save(nodeKey, parse.GetValue(output)!);
            PrintIdentity(nodeKey);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Import()
    {
        var hex = new Option<string>("--hex") { Description = "The private key: 0x and 64 hex digits", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the key (mode 0600; never overwritten)", Required = true };
        var command = new Command("import", "Store an existing secp256k1 private key as a node key") { hex, output };
        command.SetAction(parse =>
        {
            NodeKey nodeKey;
            try { nodeKey = NodeKey.FromHex(parse.GetValue(hex)!); }
            catch (FormatException e) { throw new UserFacingException($"--hex: {e.Message}"); }
            KeyFile.Save(nodeKey, parse.GetValue(output)!);
            PrintIdentity(nodeKey);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var file = new Option<string>("--key") { Description = "The node key file", Required = true };
        var command = new Command("show", "Print a key's libp2p PeerId and Ethereum address") { file };
        command.SetAction(parse =>
        {
            PrintIdentity(KeyFile.Load(parse.GetValue(file)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void PrintIdentity(NodeKey nodeKey)
    {
        Console.WriteLine($"peer-id: {nodeKey.PeerId}");
        Console.WriteLine($"address: {nodeKey.Address}");
    }
}
