using System.Runtime.CompilerServices;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Serilog;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Logs;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using Gen = SwarmFL.Chain.Contracts.Generated.SwarmCoordinator.ContractDefinition;

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
        var constructorArguments = new ParametersEncoder().EncodeParametersFromTypeAttributes(typeof(Gen.SwarmCoordinatorDeployment),
            new Gen.SwarmCoordinatorDeployment { Config = config.ToDto(), Rules = rules.ToDto() });
        byte[] data = [.. artifact.Bytecode, .. constructorArguments];
        var receipt = await sender.SendAndWaitAsync(new TransactionRequest(null, data, Operation: "deploy SwarmCoordinator"), ct);
        var address = receipt.ContractAddress
                      ?? throw new ChainRpcException("eth_getTransactionReceipt", sender.Eth.Endpoint, "deployment receipt has no contractAddress");
        Log.ForContext<SwarmCoordinator>().Information("Deployed SwarmCoordinator at {Address} in block {Block} ({Gas} gas)",
            address.ToString(), receipt.BlockNumber, receipt.GasUsed);
        return new SwarmCoordinator(sender.Eth, address, sender, receipt.BlockNumber);
    }

    // ------------------------------------------------------------------------------------------------ views

    public async Task<SwarmConfig> ConfigAsync(CancellationToken ct = default) =>
        SwarmConfig.FromDto((await ViewAsync<Gen.ConfigFunction, Gen.ConfigOutputDTO>(new(), ct)).ReturnValue1);

    public async Task<AggregationRules> AggregationRulesAsync(CancellationToken ct = default) =>
        AggregationRules.FromDto((await ViewAsync<Gen.AggregationRulesFunction, Gen.AggregationRulesOutputDTO>(new(), ct)).ReturnValue1);

    public async Task<EthereumAddress> CreatorAsync(CancellationToken ct = default) =>
        EthereumAddress.Parse((await ViewAsync<Gen.CreatorFunction, Gen.CreatorOutputDTO>(new(), ct)).ReturnValue1);

    public async Task<bool> IsMemberAsync(EthereumAddress account, CancellationToken ct = default) =>
        (await ViewAsync<Gen.IsMemberFunction, Gen.IsMemberOutputDTO>(new() { Account = account.ToString() }, ct)).ReturnValue1;

    public async Task<bool> IsAllowedAsync(EthereumAddress account, CancellationToken ct = default) =>
        (await ViewAsync<Gen.IsAllowedFunction, Gen.IsAllowedOutputDTO>(new() { Account = account.ToString() }, ct)).ReturnValue1;

    public async Task<MemberStatus> MemberStatusAsync(EthereumAddress account, CancellationToken ct = default) =>
        (MemberStatus)(await ViewAsync<Gen.MemberStatusFunction, Gen.MemberStatusOutputDTO>(new() { Account = account.ToString() }, ct)).ReturnValue1;

    /// <summary>The current round's members in ring order.</summary>
    public async Task<IReadOnlyList<EthereumAddress>> MembersAsync(CancellationToken ct = default) =>
        Addresses((await ViewAsync<Gen.MembersFunction, Gen.MembersOutputDTO>(new(), ct)).ReturnValue1);

    public async Task<MemberInfo> MemberInfoAsync(EthereumAddress account, CancellationToken ct = default)
    {
        var v = await ViewAsync<Gen.MemberInfoFunction, Gen.MemberInfoOutputDTO>(new() { Account = account.ToString() }, ct);
        return new MemberInfo(account, v.PeerId, v.Multiaddr, v.RingId, v.OptedOut, v.Active);
    }

    public async Task<uint> RegisteredCountAsync(CancellationToken ct = default) =>
        (await ViewAsync<Gen.RegisteredCountFunction, Gen.RegisteredCountOutputDTO>(new(), ct)).ReturnValue1;

    public async Task<uint> ClusterOfAsync(EthereumAddress account, CancellationToken ct = default) =>
        (await ViewAsync<Gen.ClusterOfFunction, Gen.ClusterOfOutputDTO>(new() { Account = account.ToString() }, ct)).ReturnValue1;

    public async Task<uint> ClusterCountAsync(CancellationToken ct = default) =>
        (await ViewAsync<Gen.ClusterCountFunction, Gen.ClusterCountOutputDTO>(new(), ct)).ReturnValue1;

    public async Task<IReadOnlyList<EthereumAddress>> ClusterMembersAsync(uint cluster, CancellationToken ct = default) =>
        Addresses((await ViewAsync<Gen.ClusterMembersFunction, Gen.ClusterMembersOutputDTO>(new() { Cluster = cluster }, ct)).List);

    public async Task<ulong> CurrentRoundAsync(CancellationToken ct = default) =>
        (await ViewAsync<Gen.CurrentRoundFunction, Gen.CurrentRoundOutputDTO>(new(), ct)).ReturnValue1;

    public async Task<RoundPhase> PhaseAsync(CancellationToken ct = default) =>
        (RoundPhase)(await ViewAsync<Gen.PhaseFunction, Gen.PhaseOutputDTO>(new(), ct)).ReturnValue1;

    public async Task<RoundInfo> RoundInfoAsync(ulong round, CancellationToken ct = default)
    {
        var v = await ViewAsync<Gen.RoundInfoFunction, Gen.RoundInfoOutputDTO>(new() { Round = round }, ct);
        return new RoundInfo(round, v.OpenedAt, v.Deadline, v.MemberCount, v.Clusters, v.Commits, (RoundPhase)v.RoundPhase, v.Randomness);
    }

    public async Task<byte[]> BaseModelAsync(uint cluster, CancellationToken ct = default) =>
        (await ViewAsync<Gen.BaseModelFunction, Gen.BaseModelOutputDTO>(new() { Cluster = cluster }, ct)).ReturnValue1;

    public async Task<LeaderInfo> LeaderOfAsync(ulong round, uint cluster, CancellationToken ct = default)
    {
        var state = await ClusterStateAsync(round, cluster, ct);
        return new LeaderInfo(state.Leader, state.ElectedAt, state.Attempt);
    }

    public async Task<ClusterRoundState> ClusterStateAsync(ulong round, uint cluster, CancellationToken ct = default)
    {
        var v = await ViewAsync<Gen.ClusterStateFunction, Gen.ClusterStateOutputDTO>(new() { Round = round, Cluster = cluster }, ct);
        return new ClusterRoundState(EthereumAddress.Parse(v.Leader), v.ElectedAt, v.Attempt, (ClusterStatus)v.Status);
    }

    /// <summary>The block whose hash draws the current round's leaders while they are not drawn (phase Election), else 0.</summary>
    public async Task<ulong> ElectionBlockAsync(CancellationToken ct = default) =>
        (await ViewAsync<Gen.ElectionBlockFunction, Gen.ElectionBlockOutputDTO>(new(), ct)).ReturnValue1;

    /// <summary>In the SemiGlobal phase, when its objection window ends (unix seconds), else 0.</summary>
    public async Task<ulong> ObjectionDeadlineAsync(CancellationToken ct = default) =>
        (await ViewAsync<Gen.ObjectionDeadlineFunction, Gen.ObjectionDeadlineOutputDTO>(new(), ct)).ReturnValue1;

    /// <summary>The votes on the cluster's standing merge, and how many of the round's standing merges are contested.</summary>
    public async Task<MergeVotes> MergeVotesAsync(ulong round, uint cluster, CancellationToken ct = default)
    {
        var v = await ViewAsync<Gen.MergeVotesFunction, Gen.MergeVotesOutputDTO>(new() { Round = round, Cluster = cluster }, ct);
        return new MergeVotes(v.Objections, v.Supporters, v.Needed, v.Contested);
    }

    public async Task<uint> LeaderFailuresAsync(EthereumAddress account, CancellationToken ct = default) =>
        (await ViewAsync<Gen.LeaderFailuresFunction, Gen.LeaderFailuresOutputDTO>(new() { Account = account.ToString() }, ct)).ReturnValue1;

    // ------------------------------------------------------------------------------------------------ transactions

    /// <summary>Registers the sender's key: the contract derives the address and the PeerId from the 64-byte x ‖ y key.</summary>
    public Task<TransactionReceipt> RegisterAsync(string multiaddr, CancellationToken ct = default) =>
        SendAsync(new Gen.RegisterFunction { PublicKey = Sender.Key.UncompressedPublicKey[1..], Multiaddr = multiaddr }, ct);

    public Task<TransactionReceipt> LeaveAsync(CancellationToken ct = default) => SendAsync(new Gen.LeaveFunction(), ct);

    public Task<TransactionReceipt> SetLeadershipOptOutAsync(bool optOut, CancellationToken ct = default) =>
        SendAsync(new Gen.SetLeadershipOptOutFunction { OptOut = optOut }, ct);

    public Task<TransactionReceipt> AllowAsync(IEnumerable<EthereumAddress> accounts, CancellationToken ct = default) =>
        SendAsync(new Gen.AllowFunction { Accounts = accounts.Select(a => a.ToString()).ToList() }, ct);

    public Task<TransactionReceipt> DisallowAsync(IEnumerable<EthereumAddress> accounts, CancellationToken ct = default) =>
        SendAsync(new Gen.DisallowFunction { Accounts = accounts.Select(a => a.ToString()).ToList() }, ct);

    public Task<TransactionReceipt> CommitAsync(ulong round, uint cluster, byte[] modelId, ulong samples, uint metric, CancellationToken ct = default) =>
        SendAsync(new Gen.CommitFunction { Round = round, Cluster = cluster, ModelId = Word(modelId), Samples = samples, Metric = metric }, ct);

    public Task<TransactionReceipt> CloseAsync(ulong round, CancellationToken ct = default) =>
        SendAsync(new Gen.CloseFunction { Round = round }, ct);

    public Task<TransactionReceipt> PublishMergeAsync(ulong round, uint cluster, byte[] modelId, IEnumerable<byte[]> inputs, CancellationToken ct = default) =>
        SendAsync(new Gen.PublishMergeFunction { Round = round, Cluster = cluster, ModelId = Word(modelId), Inputs = Words(inputs) }, ct);

    /// <summary>publishMerge with the committed ids the merge left out, each with its reason code (1…7, see the docs).</summary>
    public Task<TransactionReceipt> PublishMergeWithDropsAsync(ulong round, uint cluster, byte[] modelId, IEnumerable<byte[]> inputs,
        IReadOnlyList<(byte[] Id, byte Reason)> dropped, CancellationToken ct = default) =>
        SendAsync(new Gen.PublishMergeWithDropsFunction
        {
            Round = round, Cluster = cluster, ModelId = Word(modelId), Inputs = Words(inputs),
            Dropped = Words(dropped.Select(d => d.Id)), Reasons = dropped.Select(d => d.Reason).ToList(),
        }, ct);

    public Task<TransactionReceipt> ReplaceLeaderAsync(ulong round, uint cluster, CancellationToken ct = default) =>
        SendAsync(new Gen.ReplaceLeaderFunction { Round = round, Cluster = cluster }, ct);

    /// <summary>Draws the leaders from the election block's hash; a no-op (that still makes a block) before that block is mined over.</summary>
    public Task<TransactionReceipt> DrawLeadersAsync(ulong round, CancellationToken ct = default) =>
        SendAsync(new Gen.DrawLeadersFunction { Round = round }, ct);

    /// <summary>Applies the next batch of membership changes of a round that opens over several transactions (phase Opening).</summary>
    public Task<TransactionReceipt> ContinueOpeningAsync(ulong round, CancellationToken ct = default) =>
        SendAsync(new Gen.ContinueOpeningFunction { Round = round }, ct);

    /// <summary>Objects to <paramref name="leader"/>'s published merge of the cluster (the sender recomputed it and got another model).</summary>
    public Task<TransactionReceipt> ObjectToMergeAsync(ulong round, uint cluster, EthereumAddress leader, CancellationToken ct = default) =>
        SendAsync(new Gen.ObjectToMergeFunction { Round = round, Cluster = cluster, Leader = leader.ToString() }, ct);

    /// <summary>Backs <paramref name="leader"/>'s objected-to merge of the cluster (the sender recomputed it and got the same model).</summary>
    public Task<TransactionReceipt> SupportMergeAsync(ulong round, uint cluster, EthereumAddress leader, CancellationToken ct = default) =>
        SendAsync(new Gen.SupportMergeFunction { Round = round, Cluster = cluster, Leader = leader.ToString() }, ct);

    /// <summary>Hands in every other committer's endorsement of <paramref name="leader"/>'s merge of the cluster
    /// (<see cref="MergeEndorsement"/>); the contract wants them in ascending signer order, which this call sorts.</summary>
    public Task<TransactionReceipt> EndorseMergeAsync(ulong round, uint cluster, EthereumAddress leader,
        IEnumerable<(EthereumAddress Signer, byte[] Signature)> endorsements, CancellationToken ct = default) =>
        SendAsync(new Gen.EndorseMergeFunction
        {
            Round = round, Cluster = cluster, Leader = leader.ToString(),
            Signatures = endorsements.OrderBy(e => Hex.Encode(e.Signer.Bytes), StringComparer.Ordinal).SelectMany(e => e.Signature).ToArray(),
        }, ct);

    /// <summary>What a committer signs to endorse <paramref name="leader"/>'s merge, on this chain and contract.</summary>
    public byte[] EndorsementDigest(ulong round, uint cluster, EthereumAddress leader) =>
        MergeEndorsement.Digest(Sender.ChainId, Address, round, cluster, leader);

    /// <summary>This sender's endorsement of <paramref name="leader"/>'s merge (r ‖ s ‖ v, v = 27 or 28).</summary>
    public byte[] SignEndorsement(ulong round, uint cluster, EthereumAddress leader) =>
        MergeEndorsement.Sign(Sender.Key, EndorsementDigest(round, cluster, leader));

    /// <summary>Who signed <paramref name="signature"/> as an endorsement of <paramref name="leader"/>'s merge on this
    /// chain and contract; null when it recovers to nobody.</summary>
    public EthereumAddress? EndorserOf(ulong round, uint cluster, EthereumAddress leader, ReadOnlySpan<byte> signature) =>
        MergeEndorsement.SignerOf(EndorsementDigest(round, cluster, leader), signature);

    /// <summary>The contract's own digest, for checking <see cref="EndorsementDigest"/> against it.</summary>
    public async Task<byte[]> EndorsementDigestOnChainAsync(ulong round, uint cluster, EthereumAddress leader, CancellationToken ct = default) =>
        (await ViewAsync<Gen.EndorsementDigestFunction, Gen.EndorsementDigestOutputDTO>(new() { Round = round, Cluster = cluster, Leader = leader.ToString() }, ct)).ReturnValue1;

    /// <summary>After the objection window: voids the cluster's merge if it has more objections than supporters.</summary>
    public Task<TransactionReceipt> SettleContestedMergeAsync(ulong round, uint cluster, CancellationToken ct = default) =>
        SendAsync(new Gen.SettleContestedMergeFunction { Round = round, Cluster = cluster }, ct);

    /// <summary>The cluster's semi-global model, which combines every standing merge of the round (the contract takes no list).</summary>
    public Task<TransactionReceipt> PublishSemiGlobalAsync(ulong round, uint cluster, byte[] modelId, CancellationToken ct = default) =>
        SendAsync(new Gen.PublishSemiGlobalFunction { Round = round, Cluster = cluster, ModelId = Word(modelId) }, ct);

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
        var roundTopic = AbiEncoder.Encode(SwarmCoordinatorAbi.RoundEvents[0].Parameters[0].Type, round);
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

    /// <summary>A view through its generated message: Nethereum encodes the call; the answer is checked strictly, then typed.</summary>
    private async Task<TOutput> ViewAsync<TFunction, TOutput>(TFunction message, CancellationToken ct)
        where TFunction : FunctionMessage where TOutput : IFunctionOutputDTO, new()
    {
        var function = TypedAbi.Function<TFunction, TOutput>();
        var output = await CallAsync(function, TypedAbi.EncodeCall(message), ct);
        try
        {
            return TypedAbi.DecodeOutput<TOutput>(function, output);
        }
        catch (FormatException e)
        {
            throw Undecodable(function, e);
        }
    }

    /// <summary>A view declared as Solidity text in <see cref="SwarmCoordinatorAbi"/> (not generated yet): values by position, decoded strictly.</summary>
    private async Task<object?[]> ViewAsync(AbiFunction function, object?[] arguments, CancellationToken ct)
    {
        var output = await CallAsync(function, function.EncodeCall(arguments), ct);
        try
        {
            return function.DecodeOutput(output);
        }
        catch (FormatException e)
        {
            throw Undecodable(function, e);
        }
    }

    private async Task<byte[]> CallAsync(AbiFunction function, byte[] callData, CancellationToken ct)
    {
        try
        {
            return await Eth.CallAsync(new CallRequest(Address, callData, _sender?.Address), _viewBlock, ct);
        }
        catch (JsonRpcErrorException e) when (ContractRevertException.IsRevert(e))
        {
            throw ContractRevertException.FromRpcError(function.Name, e, SwarmCoordinatorAbi.Errors);
        }
    }

    private ChainRpcException Undecodable(AbiFunction function, FormatException e) =>
        new("eth_call", Eth.Endpoint, $"{function.Signature} at {Address} returned undecodable data: {e.Message}", e);

    private Task<TransactionReceipt> SendAsync<TFunction>(TFunction message, CancellationToken ct) where TFunction : FunctionMessage =>
        Sender.SendAndWaitAsync(new TransactionRequest(Address, TypedAbi.EncodeCall(message), Operation: TypedAbi.Function<TFunction>().Name), ct);

    /// <summary>A transaction declared as Solidity text in <see cref="SwarmCoordinatorAbi"/> (not generated yet).</summary>
    private Task<TransactionReceipt> SendAsync(AbiFunction function, object?[] arguments, CancellationToken ct) =>
        Sender.SendAndWaitAsync(new TransactionRequest(Address, function.EncodeCall(arguments), Operation: function.Name), ct);

    /// <summary>Our events among the logs; others (foreign contracts, unknown topics) are skipped.</summary>
    private static IEnumerable<SwarmEvent> DecodeAll(IEnumerable<LogEntry> logs) => logs.Select(SwarmEventDecoder.TryDecode).OfType<SwarmEvent>();

    /// <summary>Nethereum pads a short bytes32 silently; a model id of the wrong size is a caller's error.</summary>
    private static byte[] Word(byte[] id) =>
        id.Length == 32 ? id : throw new ArgumentException($"a bytes32 value needs exactly 32 bytes, got {id.Length}", nameof(id));

    private static List<byte[]> Words(IEnumerable<byte[]> ids) => ids.Select(Word).ToList();

    private static IReadOnlyList<EthereumAddress> Addresses(IEnumerable<string> addresses) => addresses.Select(EthereumAddress.Parse).ToArray();
}
