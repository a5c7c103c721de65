using System.Numerics;
using System.Runtime.CompilerServices;
using Serilog;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Logs;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Contracts;

/// <summary>
/// Typed access to one deployed SwarmCoordinator (docs/contracts-interface.md). Views need only an RPC client;
/// transactions need a <see cref="TransactionSender"/> and wait for their receipt. Reverts surface as
/// <see cref="ContractRevertException"/> with the contract's custom error decoded.
/// </summary>
public sealed class SwarmCoordinator
{
    private readonly TransactionSender? _sender;
    private readonly string _viewBlock;

    private SwarmCoordinator(EthClient eth, EthereumAddress address, TransactionSender? sender, ulong deploymentBlock, string viewBlock = "latest")
    {
        Eth = eth;
        Address = address;
        _sender = sender;
        DeploymentBlock = deploymentBlock;
        _viewBlock = viewBlock;
    }

    /// <summary>The same binding with its views read at block <paramref name="block"/>, so that several reads see one state
    /// even while blocks arrive; transactions are unaffected.</summary>
    public SwarmCoordinator At(ulong block) => new(Eth, Address, _sender, DeploymentBlock, Quantity.ToHex(block));

    public EthClient Eth { get; }
    public EthereumAddress Address { get; }

    /// <summary>Where event queries start by default; 0 when attached to an existing deployment.</summary>
    public ulong DeploymentBlock { get; }

    private TransactionSender Sender => _sender ?? throw new InvalidOperationException("this SwarmCoordinator is read-only: attach it with a TransactionSender to send transactions");

    /// <summary>Binds to a deployment, refusing an address without code.</summary>
    public static async Task<SwarmCoordinator> AttachAsync(EthClient eth, EthereumAddress address, TransactionSender? sender = null,
        ulong deploymentBlock = 0, CancellationToken ct = default)
    {
        await ChainChecks.RequireCodeAsync(eth, address, ct);
        return new SwarmCoordinator(eth, address, sender, deploymentBlock);
    }

    /// <summary>Deploys a new swarm with <see cref="AggregationRules.Default"/>.</summary>
    public static Task<SwarmCoordinator> DeployAsync(TransactionSender sender, SwarmConfig config, ContractArtifact? artifact = null,
        CancellationToken ct = default) =>
        DeployAsync(sender, config, AggregationRules.Default, artifact, ct);

    /// <summary>Deploys a new swarm: the artifact's creation bytecode followed by the ABI-encoded Config and AggregationRules.</summary>
    public static async Task<SwarmCoordinator> DeployAsync(TransactionSender sender, SwarmConfig config, AggregationRules rules,
        ContractArtifact? artifact = null, CancellationToken ct = default)
    {
        artifact ??= ContractArtifact.SwarmCoordinator();
        byte[] data = [.. artifact.Bytecode, .. AbiEncoder.Encode(SwarmCoordinatorAbi.ConstructorInputs, new object[] { config.ToAbi(), rules.ToAbi() })];
        var receipt = await sender.SendAndWaitAsync(new TransactionRequest(null, data, Operation: "deploy SwarmCoordinator"), ct);
        var address = receipt.ContractAddress
                      ?? throw new ChainRpcException("eth_getTransactionReceipt", sender.Eth.Endpoint, "deployment receipt has no contractAddress");
        Log.ForContext<SwarmCoordinator>().Information("Deployed SwarmCoordinator at {Address} in block {Block} ({Gas} gas)",
            address.ToString(), receipt.BlockNumber, receipt.GasUsed);
        return new SwarmCoordinator(sender.Eth, address, sender, receipt.BlockNumber);
    }

    // ------------------------------------------------------------------------------------------------ views

    public async Task<SwarmConfig> ConfigAsync(CancellationToken ct = default) =>
        SwarmConfig.FromAbi((object?[])(await ViewAsync(SwarmCoordinatorAbi.Config, [], ct))[0]!);

    public async Task<AggregationRules> AggregationRulesAsync(CancellationToken ct = default) =>
        AggregationRules.FromAbi((object?[])(await ViewAsync(SwarmCoordinatorAbi.AggregationRules, [], ct))[0]!);

    public async Task<EthereumAddress> CreatorAsync(CancellationToken ct = default) =>
        (EthereumAddress)(await ViewAsync(SwarmCoordinatorAbi.Creator, [], ct))[0]!;

    public async Task<bool> IsMemberAsync(EthereumAddress account, CancellationToken ct = default) =>
        (bool)(await ViewAsync(SwarmCoordinatorAbi.IsMember, [account], ct))[0]!;

    public async Task<bool> IsAllowedAsync(EthereumAddress account, CancellationToken ct = default) =>
        (bool)(await ViewAsync(SwarmCoordinatorAbi.IsAllowed, [account], ct))[0]!;

    public async Task<MemberStatus> MemberStatusAsync(EthereumAddress account, CancellationToken ct = default) =>
        (MemberStatus)(byte)(BigInteger)(await ViewAsync(SwarmCoordinatorAbi.MemberStatus, [account], ct))[0]!;

    /// <summary>The current round's members in ring order.</summary>
    public async Task<IReadOnlyList<EthereumAddress>> MembersAsync(CancellationToken ct = default) =>
        Addresses((await ViewAsync(SwarmCoordinatorAbi.Members, [], ct))[0]);

    public async Task<MemberInfo> MemberInfoAsync(EthereumAddress account, CancellationToken ct = default)
    {
        var v = await ViewAsync(SwarmCoordinatorAbi.MemberInfo, [account], ct);
        return new MemberInfo(account, (byte[])v[0]!, (string)v[1]!, (byte[])v[2]!, (bool)v[3]!, (bool)v[4]!);
    }

    public async Task<uint> RegisteredCountAsync(CancellationToken ct = default) =>
        U32((await ViewAsync(SwarmCoordinatorAbi.RegisteredCount, [], ct))[0]);

    public async Task<uint> ClusterOfAsync(EthereumAddress account, CancellationToken ct = default) =>
        U32((await ViewAsync(SwarmCoordinatorAbi.ClusterOf, [account], ct))[0]);

    public async Task<uint> ClusterCountAsync(CancellationToken ct = default) =>
        U32((await ViewAsync(SwarmCoordinatorAbi.ClusterCount, [], ct))[0]);

    public async Task<IReadOnlyList<EthereumAddress>> ClusterMembersAsync(uint cluster, CancellationToken ct = default) =>
        Addresses((await ViewAsync(SwarmCoordinatorAbi.ClusterMembers, [cluster], ct))[0]);

    public async Task<ulong> CurrentRoundAsync(CancellationToken ct = default) =>
        U64((await ViewAsync(SwarmCoordinatorAbi.CurrentRound, [], ct))[0]);

    public async Task<RoundPhase> PhaseAsync(CancellationToken ct = default) =>
        (RoundPhase)(byte)(BigInteger)(await ViewAsync(SwarmCoordinatorAbi.Phase, [], ct))[0]!;

    public async Task<RoundInfo> RoundInfoAsync(ulong round, CancellationToken ct = default)
    {
        var v = await ViewAsync(SwarmCoordinatorAbi.RoundInfo, [round], ct);
        return new RoundInfo(round, U64(v[0]), U64(v[1]), U32(v[2]), U32(v[3]), U32(v[4]), (RoundPhase)(byte)(BigInteger)v[5]!, (byte[])v[6]!);
    }

    public async Task<byte[]> BaseModelAsync(uint cluster, CancellationToken ct = default) =>
        (byte[])(await ViewAsync(SwarmCoordinatorAbi.BaseModel, [cluster], ct))[0]!;

    public async Task<LeaderInfo> LeaderOfAsync(ulong round, uint cluster, CancellationToken ct = default)
    {
        var v = await ViewAsync(SwarmCoordinatorAbi.LeaderOf, [round, cluster], ct);
        return new LeaderInfo((EthereumAddress)v[0]!, U64(v[1]), U32(v[2]));
    }

    public async Task<ClusterRoundState> ClusterStateAsync(ulong round, uint cluster, CancellationToken ct = default)
    {
        var v = await ViewAsync(SwarmCoordinatorAbi.ClusterState, [round, cluster], ct);
        return new ClusterRoundState((EthereumAddress)v[0]!, U64(v[1]), U32(v[2]), (ClusterStatus)(byte)(BigInteger)v[3]!);
    }

    /// <summary>The block whose hash draws the current round's leaders while they are not drawn (phase Election), else 0.</summary>
    public async Task<ulong> ElectionBlockAsync(CancellationToken ct = default) =>
        U64((await ViewAsync(SwarmCoordinatorAbi.ElectionBlock, [], ct))[0]);

    /// <summary>In the SemiGlobal phase, when its objection window ends (unix seconds), else 0.</summary>
    public async Task<ulong> ObjectionDeadlineAsync(CancellationToken ct = default) =>
        U64((await ViewAsync(SwarmCoordinatorAbi.ObjectionDeadline, [], ct))[0]);

    public async Task<uint> LeaderFailuresAsync(EthereumAddress account, CancellationToken ct = default) =>
        U32((await ViewAsync(SwarmCoordinatorAbi.LeaderFailures, [account], ct))[0]);

    // ------------------------------------------------------------------------------------------------ transactions

    /// <summary>Registers the sender's key: the contract derives the address and the PeerId from the 64-byte x ‖ y key.</summary>
    public Task<TransactionReceipt> RegisterAsync(string multiaddr, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.Register, [Sender.Key.UncompressedPublicKey[1..], multiaddr], ct);

    public Task<TransactionReceipt> LeaveAsync(CancellationToken ct = default) => SendAsync(SwarmCoordinatorAbi.Leave, [], ct);

    public Task<TransactionReceipt> SetLeadershipOptOutAsync(bool optOut, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.SetLeadershipOptOut, [optOut], ct);

    public Task<TransactionReceipt> AllowAsync(IEnumerable<EthereumAddress> accounts, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.Allow, [accounts.Cast<object>().ToArray()], ct);

    public Task<TransactionReceipt> DisallowAsync(IEnumerable<EthereumAddress> accounts, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.Disallow, [accounts.Cast<object>().ToArray()], ct);

    public Task<TransactionReceipt> CommitAsync(ulong round, uint cluster, byte[] modelId, ulong samples, uint metric, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.Commit, [round, cluster, modelId, samples, metric], ct);

    public Task<TransactionReceipt> CloseAsync(ulong round, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.Close, [round], ct);

    public Task<TransactionReceipt> PublishMergeAsync(ulong round, uint cluster, byte[] modelId, IEnumerable<byte[]> inputs, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.PublishMerge, [round, cluster, modelId, inputs.Cast<object>().ToArray()], ct);

    /// <summary>publishMerge with the committed ids the merge left out, each with its reason code (1…7, see the docs).</summary>
    public Task<TransactionReceipt> PublishMergeWithDropsAsync(ulong round, uint cluster, byte[] modelId, IEnumerable<byte[]> inputs,
        IReadOnlyList<(byte[] Id, byte Reason)> dropped, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.PublishMergeWithDrops,
            [round, cluster, modelId, inputs.Cast<object>().ToArray(), dropped.Select(d => (object)d.Id).ToArray(), dropped.Select(d => (object)d.Reason).ToArray()], ct);

    public Task<TransactionReceipt> ReplaceLeaderAsync(ulong round, uint cluster, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.ReplaceLeader, [round, cluster], ct);

    /// <summary>Draws the leaders from the election block's hash; a no-op (that still makes a block) before that block is mined over.</summary>
    public Task<TransactionReceipt> DrawLeadersAsync(ulong round, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.DrawLeaders, [round], ct);

    /// <summary>Objects to <paramref name="leader"/>'s published merge of the cluster (the sender recomputed it and got another model).</summary>
    public Task<TransactionReceipt> ObjectToMergeAsync(ulong round, uint cluster, EthereumAddress leader, CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.ObjectToMerge, [round, cluster, leader], ct);

    public Task<TransactionReceipt> PublishSemiGlobalAsync(ulong round, uint cluster, byte[] modelId, IEnumerable<byte[]> clusterModels,
        CancellationToken ct = default) =>
        SendAsync(SwarmCoordinatorAbi.PublishSemiGlobal, [round, cluster, modelId, clusterModels.Cast<object>().ToArray()], ct);

    // ------------------------------------------------------------------------------------------------ events

    public static IEnumerable<SwarmEvent> EventsIn(TransactionReceipt receipt) => DecodeAll(receipt.Logs);

    public async Task<IReadOnlyList<SwarmEvent>> GetEventsAsync(ulong? fromBlock = null, ulong? toBlock = null, CancellationToken ct = default)
    {
        var to = toBlock ?? await Eth.BlockNumberAsync(ct);
        var logs = await new LogReader(Eth).GetLogsAsync(Address, SwarmEventDecoder.AllTopics, fromBlock ?? DeploymentBlock, to, ct);
        return DecodeAll(logs).ToArray();
    }

    /// <summary>
    /// Whether the contract was deployed in <paramref name="block"/>: its constructor, and nothing else, emits
    /// SwarmCreated, so its log is in that block and no other. One eth_getLogs over one block; logs stay readable on
    /// nodes that prune old state, where eth_getCode at an old block would fail.
    /// </summary>
    public async Task<bool> WasDeployedInAsync(ulong block, CancellationToken ct = default)
    {
        var logs = await Eth.GetLogsAsync(new LogFilter(Address, [SwarmCoordinatorAbi.SwarmCreated.Topic0], block, block), ct);
        return logs.Any(l => !l.Removed && l.Address == Address && l.BlockNumber == block);
    }

    /// <summary>The events of one round (those that index it first: opening, commits, close, elections, publications).</summary>
    public async Task<IReadOnlyList<SwarmEvent>> GetRoundEventsAsync(ulong round, ulong? fromBlock = null, CancellationToken ct = default)
    {
        var to = await Eth.BlockNumberAsync(ct);
        var roundTopic = AbiEncoder.Encode(AbiType.UInt(64), round);
        var logs = await new LogReader(Eth).GetLogsAsync(Address, SwarmCoordinatorAbi.RoundEvents.Select(e => e.Topic0).ToArray(),
            fromBlock ?? DeploymentBlock, to, ct, roundTopic);
        return DecodeAll(logs).ToArray();
    }

    public async IAsyncEnumerable<SwarmEvent> FollowEventsAsync(ulong? fromBlock = null, TimeSpan? pollInterval = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var reader = new LogReader(Eth) { PollInterval = pollInterval ?? TimeSpan.FromSeconds(1) };
        await foreach (var log in reader.FollowAsync(Address, SwarmEventDecoder.AllTopics, fromBlock ?? DeploymentBlock, ct))
        {
            if (SwarmEventDecoder.TryDecode(log) is { } decoded) yield return decoded;
        }
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    private async Task<object?[]> ViewAsync(AbiFunction function, object?[] arguments, CancellationToken ct)
    {
        byte[] output;
        try
        {
            output = await Eth.CallAsync(new CallRequest(Address, function.EncodeCall(arguments), _sender?.Address), _viewBlock, ct);
        }
        catch (JsonRpcErrorException e) when (ContractRevertException.IsRevert(e))
        {
            throw ContractRevertException.FromRpcError(function.Name, e, SwarmCoordinatorAbi.Errors);
        }
        try
        {
            return function.DecodeOutput(output);
        }
        catch (FormatException e)
        {
            throw new ChainRpcException("eth_call", Eth.Endpoint, $"{function.Signature} at {Address} returned undecodable data: {e.Message}", e);
        }
    }

    private Task<TransactionReceipt> SendAsync(AbiFunction function, object?[] arguments, CancellationToken ct) =>
        Sender.SendAndWaitAsync(new TransactionRequest(Address, function.EncodeCall(arguments), Operation: function.Name), ct);

    /// <summary>Our events among the logs; others (foreign contracts, unknown topics) are skipped.</summary>
    private static IEnumerable<SwarmEvent> DecodeAll(IEnumerable<LogEntry> logs) => logs.Select(SwarmEventDecoder.TryDecode).OfType<SwarmEvent>();

    private static ulong U64(object? v) => (ulong)(BigInteger)v!;
    private static uint U32(object? v) => (uint)(BigInteger)v!;
    private static IReadOnlyList<EthereumAddress> Addresses(object? v) => ((object?[])v!).Cast<EthereumAddress>().ToArray();
}
