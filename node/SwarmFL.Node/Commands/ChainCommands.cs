using System.CommandLine;
using System.Numerics;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.Models;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Node.Cli;

namespace SwarmFL.Node.Commands;

/// <summary>`swarmfl swarm create | show`: deploy a SwarmCoordinator and inspect one.</summary>
public sealed class ChainCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var swarm = new Command("swarm", "Create and inspect swarms (SwarmCoordinator contracts)");
        swarm.Subcommands.Add(Create());
        swarm.Subcommands.Add(Show());
        swarm.Subcommands.Add(Admission("allow", "Let these accounts register in an allowlist swarm (creator only)", allowed: true));
        swarm.Subcommands.Add(Admission("disallow", "Stop these accounts from registering (creator only; members stay)", allowed: false));
        yield return swarm;
    }

    private static Option<string> RpcOption() => new("--rpc") { Description = "Ethereum JSON-RPC URL, e.g. http://127.0.0.1:8545", Required = true };

    private static Option<long?> ChainIdOption() => new("--chain-id")
    {
        Description = "Refuse to run unless the RPC serves this chain id (default: accept what it serves)",
    };

    private static Command Create()
    {
        var rpc = RpcOption();
        var chainId = ChainIdOption();
        var key = new Option<string>("--key") { Description = "Node key file of the creator (pays for the deployment)", Required = true };
        var minPeers = new Option<uint>("--min-peers") { Description = "Quorum of commits needed to close a round after its deadline", DefaultValueFactory = _ => 2 };
        var commitWindow = new Option<ulong>("--commit-window") { Description = "Seconds from a round's opening to its commit deadline", DefaultValueFactory = _ => 120 };
        var mergeTimeout = new Option<ulong>("--merge-timeout") { Description = "Seconds an elected leader has to publish before it may be replaced", DefaultValueFactory = _ => 120 };
        var clusterSize = new Option<uint>("--cluster-size") { Description = "Target number of members per cluster", DefaultValueFactory = _ => 4 };
        var allowlist = new Option<bool>("--allowlist") { Description = "Admit only accounts the creator allows (default: open admission)" };
        var modelSpec = new Option<string>("--model-spec-hash")
        {
            Description = $"The model spec: a built-in name ({string.Join(", ", ModelSpec.BuiltIn.Select(s => s.Name))}) or its 0x-prefixed 32-byte hash",
            DefaultValueFactory = _ => ModelSpec.MnistCnn.Name,
        };
        var model = new Option<string?>("--model") { Description = ModelArgument.Help + "; pins its hash (overrides --model-spec-hash)" };
        var genesis = new Option<string>("--genesis-model") { Description = "Content id (bafkrei…) or 0x sha-256 digest of round 1's base model", Required = true };
        var aggregation = new Option<string>("--aggregation")
        {
            Description = "The aggregation policy every leader, checking member and audit applies: " + AggregationPolicy.TextHelp,
            DefaultValueFactory = _ => AggregationStrategies.FedAvg,
        };
        var maxSamples = new Option<ulong>("--max-samples")
        {
            Description = "Most samples one commit may claim (the contract refuses more; it bounds each member's weight in every merge)",
            DefaultValueFactory = _ => 1_000_000,
        };
        var leaderCooldown = new Option<uint>("--leader-cooldown")
        {
            Description = "Rounds a leader that missed its timeout, or whose merge was voided, cannot be elected again",
            DefaultValueFactory = _ => 2,
        };
        var objectionWindow = new Option<ulong>("--objection-window")
        {
            Description = "Seconds a cluster's committers have to object to its merge before semi-global models are accepted",
            DefaultValueFactory = _ => AggregationRules.DefaultObjectionWindowSeconds,
        };
        var artifact = new Option<string?>("--artifact") { Description = "SwarmCoordinator.json Hardhat artifact (default: the one built into swarmfl)" };
        var dataSpec = new Option<string?>("--data-spec")
        {
            Description = "The swarm's data spec (from `swarmfl data-spec`): pinned with the model, so members must run with the same file (default: MNIST's)",
        };

        var command = new Command("create", "Deploy a new swarm and print its contract address")
        {
            rpc, chainId, key, minPeers, commitWindow, mergeTimeout, clusterSize, allowlist, modelSpec, model, genesis, aggregation, maxSamples, leaderCooldown, objectionWindow, artifact, dataSpec,
        };
        command.SetAction(async (parse, ct) =>
        {
            var pinned = parse.GetValue(model) is { } m ? ModelArgument.Resolve(m) : null;
            var policy = ParsePolicy(parse.GetValue(aggregation)!);
            if (parse.GetValue(maxSamples) == 0) throw new UserFacingException("--max-samples must be positive");
            if (parse.GetValue(objectionWindow) == 0) throw new UserFacingException("--objection-window must be positive: members need time to recompute a merge and object");
            var rules = new AggregationRules(policy.Text, parse.GetValue(maxSamples), parse.GetValue(leaderCooldown), parse.GetValue(objectionWindow));
            var config = new SwarmConfig(
                parse.GetValue(minPeers), parse.GetValue(commitWindow), parse.GetValue(mergeTimeout), parse.GetValue(clusterSize),
                parse.GetValue(allowlist),
                PinnedSpecHash(parse.GetValue(dataSpec), pinned?.Hash() ?? ParseModelSpecHash(parse.GetValue(modelSpec)!)),
                ParseModelId(parse.GetValue(genesis)!, "--genesis-model"),
                AggregationNames.IdOf(policy.Strategy));
            var nodeKey = KeyFile.Load(parse.GetValue(key)!);
            var contractArtifact = LoadArtifact(parse.GetValue(artifact));
            return await WithChainErrors(async () =>
            {
                using var eth = Connect(parse.GetValue(rpc)!);
                var sender = await TransactionSender.ConnectAsync(eth, nodeKey, parse.GetValue(chainId), SwarmCoordinatorAbi.Errors, ct: ct);
                var swarm = await SwarmCoordinator.DeployAsync(sender, config, rules, contractArtifact, ct);
                Console.WriteLine($"contract: {swarm.Address}");
                Console.WriteLine($"chain-id: {sender.ChainId}");
                Console.WriteLine($"block: {swarm.DeploymentBlock}");
                Console.WriteLine($"creator: {sender.Address}");
                // The model file is served by content id of the pinned hash: members started with --model FILE serve it.
                if (pinned is not null) Console.WriteLine($"model: {pinned.Name} ({pinned.Kind}) {pinned.HashHex} file {pinned.FileId}");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Show()
    {
        var rpc = RpcOption();
        var chainId = ChainIdOption();
        var contract = new Option<string>("--contract") { Description = "Address of the SwarmCoordinator", Required = true };
        var command = new Command("show", "Print a swarm's configuration, members, clusters, current round and phase") { rpc, chainId, contract };
        command.SetAction(async (parse, ct) =>
        {
            var address = ParseContract(parse.GetValue(contract)!);
            return await WithChainErrors(async () =>
            {
                using var eth = Connect(parse.GetValue(rpc)!);
                var actualChainId = await ChainChecks.RequireChainIdAsync(eth, parse.GetValue(chainId), ct);
                var swarm = await SwarmCoordinator.AttachAsync(eth, address, ct: ct);
                await PrintSwarm(swarm, actualChainId, ct);
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Admission(string name, string description, bool allowed)
    {
        var rpc = RpcOption();
        var chainId = ChainIdOption();
        var key = new Option<string>("--key") { Description = "Node key file of the swarm's creator", Required = true };
        var contract = new Option<string>("--contract") { Description = "Address of the SwarmCoordinator", Required = true };
        var accounts = new Argument<string[]>("accounts") { Description = "Ethereum addresses (0x…) or PeerIds (16Uiu2…)", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description) { rpc, chainId, key, contract, accounts };
        command.SetAction(async (parse, ct) =>
        {
            var address = ParseContract(parse.GetValue(contract)!);
            var targets = parse.GetValue(accounts)!.Select(ParseAccount).ToArray();
            var nodeKey = KeyFile.Load(parse.GetValue(key)!);
            return await WithChainErrors(async () =>
            {
                using var eth = Connect(parse.GetValue(rpc)!);
                var sender = await TransactionSender.ConnectAsync(eth, nodeKey, parse.GetValue(chainId), SwarmCoordinatorAbi.Errors, ct: ct);
                var swarm = await SwarmCoordinator.AttachAsync(eth, address, sender, ct: ct);
                var receipt = allowed ? await swarm.AllowAsync(targets, ct) : await swarm.DisallowAsync(targets, ct);
                foreach (var changed in SwarmCoordinator.EventsIn(receipt).OfType<AllowlistChanged>())
                    Console.WriteLine($"{(changed.Allowed ? "allowed" : "disallowed")}: {changed.Account}");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static EthereumAddress ParseContract(string text) =>
        EthereumAddress.TryParse(text, out var address, out var problem) ? address : throw new UserFacingException($"--contract: {problem}");

    /// <summary>An address, or a secp256k1 PeerId, whose address follows from its key.</summary>
    private static EthereumAddress ParseAccount(string text)
    {
        if (EthereumAddress.TryParse(text, out var address, out _)) return address;
        if (PeerId.TryParse(text, out var peerId, out _) && peerId.TryGetEthereumAddress() is { } fromPeer) return fromPeer;
        throw new UserFacingException($"'{text}' is neither an Ethereum address nor a secp256k1 PeerId");
    }

    private static async Task PrintSwarm(SwarmCoordinator swarm, BigInteger chainId, CancellationToken ct)
    {
        var config = await swarm.ConfigAsync(ct);
        var round = await swarm.CurrentRoundAsync(ct);
        var info = await swarm.RoundInfoAsync(round, ct);
        // while a round opens in batches the ring is being rebuilt in place: it is listed once the round is open
        var members = info.Phase == RoundPhase.Opening ? [] : await swarm.MembersAsync(ct);
        Console.WriteLine($"contract: {swarm.Address}");
        Console.WriteLine($"chain-id: {chainId}");
        Console.WriteLine($"creator: {await swarm.CreatorAsync(ct)}");
        Console.WriteLine("config:");
        Console.WriteLine($"  min-peers: {config.MinPeers}");
        Console.WriteLine($"  commit-window: {config.CommitWindowSeconds} s");
        Console.WriteLine($"  merge-timeout: {config.MergeTimeoutSeconds} s");
        Console.WriteLine($"  cluster-size: {config.TargetClusterSize}");
        Console.WriteLine($"  admission: {(config.AllowlistOnly ? "allowlist" : "open")}");
        Console.WriteLine($"  model-spec-hash: {Hex.Encode(config.ModelSpecHash)}{BuiltInName(config.ModelSpecHash)}");
        Console.WriteLine($"  genesis-model: {ContentId.FromDigest(config.GenesisModel)}");
        var rules = await swarm.AggregationRulesAsync(ct);
        Console.WriteLine($"  aggregation: {AggregationStrategies.Names.ElementAtOrDefault((int)config.Aggregation) ?? $"unknown ({(byte)config.Aggregation})"}");
        Console.WriteLine($"  aggregation-policy: {rules.Policy}");
        Console.WriteLine($"  max-samples: {rules.MaxSamples}");
        Console.WriteLine($"  leader-cooldown: {rules.LeaderCooldownRounds} rounds");
        Console.WriteLine($"  objection-window: {rules.ObjectionWindowSeconds} s");
        Console.WriteLine($"round: {round}");
        Console.WriteLine($"phase: {info.Phase}");
        if (info.Phase == RoundPhase.Opening) Console.WriteLine("  (applying the queued joins and leaves; the members are listed once the round opens)");
        if (info.Phase.HasClusters())
        {
            Console.WriteLine($"opened-at: {DateTimeOffset.FromUnixTimeSeconds((long)info.OpenedAt):u}");
            Console.WriteLine($"deadline: {DateTimeOffset.FromUnixTimeSeconds((long)info.Deadline):u}");
            Console.WriteLine($"commits: {info.Commits}/{info.MemberCount}");
        }
        Console.WriteLine($"registered: {await swarm.RegisteredCountAsync(ct)}");
        Console.WriteLine($"members: {members.Count}");
        var clusters = info.Phase.HasClusters() ? await swarm.ClusterCountAsync(ct) : 0;
        var clusterOf = new Dictionary<EthereumAddress, uint>();
        for (uint c = 0; c < clusters; c++)
            foreach (var m in await swarm.ClusterMembersAsync(c, ct)) clusterOf[m] = c;
        foreach (var member in members)
        {
            var m = await swarm.MemberInfoAsync(member, ct);
            var cluster = clusterOf.TryGetValue(member, out var c) ? $"cluster {c}" : "no cluster";
            Console.WriteLine($"  {member} {cluster} {m.PeerId} {m.Multiaddr}{(m.OptedOut ? " (opted out of leadership)" : "")}");
        }
        Console.WriteLine($"clusters: {clusters}");
        for (uint c = 0; c < clusters; c++)
        {
            var line = $"  cluster {c}: base {ContentId.FromDigest(await swarm.BaseModelAsync(c, ct))}";
            if (info.Phase is RoundPhase.Merge or RoundPhase.SemiGlobal)
            {
                var state = await swarm.ClusterStateAsync(round, c, ct);
                if (state.Leader != EthereumAddress.Zero) line += $" leader {state.Leader} (attempt {state.Attempt}, {state.Status})";
                else line += $" {state.Status}";
            }
            Console.WriteLine(line);
        }
    }

    private static EthClient Connect(string rpc)
    {
        try
        {
            return new EthClient(new JsonRpcClient(rpc));
        }
        catch (FormatException e)
        {
            throw new UserFacingException($"--rpc: {e.Message}");
        }
    }

    /// <summary>Maps chain failures to a one-line message and the exit code scripts rely on.</summary>
    private static async Task<int> WithChainErrors(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ChainUnavailableException e)
        {
            throw new UserFacingException(e.Message, ExitCodes.Unavailable, e);
        }
        catch (Exception e) when (e is WrongChainException or NoContractCodeException or InsufficientFundsException or ContractRevertException)
        {
            throw new UserFacingException(e.Message, ExitCodes.BadInput, e);
        }
        catch (ChainRpcException e)
        {
            throw new UserFacingException(e.Message, ExitCodes.Unavailable, e);
        }
    }

    private static ContractArtifact LoadArtifact(string? path)
    {
        try
        {
            return ContractArtifact.SwarmCoordinator(path);
        }
        catch (Exception e) when (e is FileNotFoundException or FormatException)
        {
            throw new UserFacingException(e.Message);
        }
    }

    /// <summary>A built-in name, a model file (JSON or TorchScript: its hash) or a 0x 32-byte hash.</summary>
    /// <summary>The model's hash, or with a data spec the spec's own hash (the spec names the model and must name this one).</summary>
    private static byte[] PinnedSpecHash(string? dataSpecPath, byte[] modelHash)
    {
        if (dataSpecPath is null) return modelHash;
        try { return SwarmFL.Learning.Data.DataSpec.Read(dataSpecPath).PinnedHash(modelHash); }
        catch (FormatException e) { throw new UserFacingException($"{dataSpecPath}: {e.Message}", ExitCodes.BadInput, e); }
    }

    private static byte[] ParseModelSpecHash(string text)
    {
        if (TryParseBytes32(text) is { } bytes) return bytes;
        if (ModelSpec.BuiltIn.Any(s => s.Name == text) || File.Exists(text)) return ModelArgument.Resolve(text).Hash();
        throw new UserFacingException($"--model-spec-hash: '{text}' is neither a built-in model ({ModelResolver.BuiltInNames}), a model file, nor 0x and 64 hex digits");
    }

    private static byte[] ParseModelId(string text, string option)
    {
        if (ContentId.TryParse(text, out var cid)) return cid.DigestBytes();
        if (TryParseBytes32(text) is { } bytes) return bytes;
        throw new UserFacingException($"{option}: '{text}' is neither a content id (bafkrei…) nor 0x and 64 hex digits");
    }

    private static byte[]? TryParseBytes32(string text) =>
        text.StartsWith("0x") && Hex.TryDecode(text, out var bytes) && bytes.Length == 32 ? bytes : null;

    /// <summary>The policy text as SwarmFL.Learning reads it; the sample cap is the contract's, so it has its own option.</summary>
    private static AggregationPolicy ParsePolicy(string text)
    {
        AggregationPolicy policy;
        try { policy = AggregationPolicy.Parse(text); }
        catch (FormatException e) { throw new UserFacingException($"--aggregation: {e.Message}"); }
        if (policy.MaxSamples is not null) throw new UserFacingException("--aggregation: give the sample cap with --max-samples, which the contract enforces");
        return policy;
    }

    private static string BuiltInName(byte[] hash) =>
        ModelSpec.BuiltIn.FirstOrDefault(s => s.Hash().AsSpan().SequenceEqual(hash)) is { } spec ? $" ({spec.Name})" : "";
}
