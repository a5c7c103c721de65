// SwarmFL.Chain's encode/decode paths per second on one thread: the hand-written code it used before (Before/,
// commit 0195c84) against what it runs now (Nethereum 6.1.0 for ABI encoding, RLP and transaction types; the strict
// decoder kept in front of Nethereum's DTO decoding). Checks first that both sides give the same bytes and values.
// Usage: dotnet run -c Release --project tests/benchmarks/chain -- [SECONDS_PER_OPERATION]
using System.Numerics;
using ChainBench.Before;
using SwarmFL.Benchmarks;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using Gen = SwarmFL.Chain.Contracts.Generated.SwarmCoordinator.ContractDefinition;

var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
var random = new Random(15);
byte[] Bytes(int n) { var b = new byte[n]; random.NextBytes(b); return b; }

var modelId = Bytes(32);
var inputs = Enumerable.Range(0, 16).Select(_ => Bytes(32)).ToList();
var commitBefore = () => (byte[])[.. SwarmCoordinatorAbi.Commit.Selector,
    .. BeforeAbiEncoder.Encode(SwarmCoordinatorAbi.Commit.InputTypes, [7UL, 2U, modelId, 600UL, 9_500U])];
var commitAfter = () => TypedAbi.EncodeCall(new Gen.CommitFunction { Round = 7, Cluster = 2, ModelId = modelId, Samples = 600, Metric = 9_500 });
var mergeBefore = () => (byte[])[.. SwarmCoordinatorAbi.PublishMerge.Selector,
    .. BeforeAbiEncoder.Encode(SwarmCoordinatorAbi.PublishMerge.InputTypes, [7UL, 2U, modelId, inputs.Cast<object>().ToArray()])];
var mergeAfter = () => TypedAbi.EncodeCall(new Gen.PublishMergeFunction { Round = 7, Cluster = 2, ModelId = modelId, Inputs = inputs });

var key = NodeKey.Generate();
var to = EthereumAddress.FromBytes(Bytes(20));
var data = commitAfter();
var txAfter = new Eip1559Transaction { ChainId = 31337, Nonce = 42, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 3_000_000_000, GasLimit = 180_000, To = to, Data = data };
var txBefore = new BeforeEip1559Transaction { ChainId = 31337, Nonce = 42, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 3_000_000_000, GasLimit = 180_000, To = to, Data = data };
var raw = txAfter.Sign(key).Raw;

var committed = SwarmCoordinatorAbi.ModelCommitted;
var topics = new List<byte[]> { committed.Topic0, AbiEncoder.Encode(AbiType.UInt(64), 7UL), AbiEncoder.Encode(AbiType.UInt(32), 2U), AbiEncoder.Encode(AbiType.Address, key.Address) };
var log = new LogEntry(to, topics, AbiEncoder.Encode([AbiType.Bytes32, AbiType.UInt(64), AbiType.UInt(32)], [modelId, 600UL, 9_500U]), 1, Bytes(32), Bytes(32), 0, false);
// What SwarmEventDecoder did before: the strict decoder, then values by position.
var eventBefore = () =>
{
    var v = committed.Decode(log.Topics, log.Data);
    return new ModelCommitted((ulong)(BigInteger)v[0]!, (uint)(BigInteger)v[1]!, (EthereumAddress)v[2]!, (byte[])v[3]!, (ulong)(BigInteger)v[4]!, (uint)(BigInteger)v[5]!) { Log = log };
};
var eventAfter = () => (ModelCommitted)SwarmEventDecoder.TryDecode(log)!;

var memberInfo = AbiEncoder.Encode(SwarmCoordinatorAbi.MemberInfo.OutputTypes, [Bytes(37), "/ip4/10.0.0.7/tcp/40123/p2p/16Uiu2HAm", Bytes(32), false, true]);
var viewBefore = () =>
{
    var v = SwarmCoordinatorAbi.MemberInfo.DecodeOutput(memberInfo);
    return new MemberInfo(key.Address, (byte[])v[0]!, (string)v[1]!, (byte[])v[2]!, (bool)v[3]!, (bool)v[4]!);
};
var viewAfter = () =>
{
    var v = TypedAbi.DecodeOutput<Gen.MemberInfoOutputDTO>(SwarmCoordinatorAbi.MemberInfo, memberInfo);
    return new MemberInfo(key.Address, v.PeerId, v.Multiaddr, v.RingId, v.OptedOut, v.Active);
};

Check("commit call data", commitBefore().AsSpan().SequenceEqual(commitAfter()));
Check("publishMerge call data", mergeBefore().AsSpan().SequenceEqual(mergeAfter()));
Check("EIP-1559 signing hash", txBefore.SigningHash().AsSpan().SequenceEqual(txAfter.SigningHash()));
Check("EIP-1559 decode", BeforeEip1559Transaction.Decode(raw).Transaction.SigningHash().AsSpan().SequenceEqual(Eip1559Transaction.Decode(raw).Transaction.SigningHash()));
Check("ModelCommitted event", eventBefore() with { ModelId = [] } == eventAfter() with { ModelId = [] } && eventBefore().ModelId.AsSpan().SequenceEqual(eventAfter().ModelId));
Check("memberInfo output", viewBefore().Multiaddr == viewAfter().Multiaddr && viewBefore().PeerIdBytes.AsSpan().SequenceEqual(viewAfter().PeerIdBytes));

var rows = new (string Name, Action<int> Before, Action<int> After)[]
{
    ("ABI: commit(...) call data", _ => commitBefore(), _ => commitAfter()),
    ("ABI: publishMerge(..., 16 inputs) call data", _ => mergeBefore(), _ => mergeAfter()),
    ("EIP-1559 signing hash (RLP + Keccak)", _ => txBefore.SigningHash(), _ => txAfter.SigningHash()),
    ("EIP-1559 strict decode + sender recovery", _ => BeforeEip1559Transaction.Decode(raw), _ => Eip1559Transaction.Decode(raw)),
    ("event ModelCommitted: strict decode to record", _ => eventBefore(), _ => eventAfter()),
    ("view memberInfo: strict decode to record", _ => viewBefore(), _ => viewAfter()),
};
Console.WriteLine($"load average before: {BeforeAfter.LoadAverage()}; {seconds} s per operation and side in alternating 100 ms slices, one thread");
Console.WriteLine("| operation | hand-written (before) ops/s | Nethereum (after) ops/s | after / before |");
Console.WriteLine("|---|---|---|---|");
foreach (var (name, before, after) in rows)
{
    var (b, a) = BeforeAfter.Interleaved(before, after, seconds);
    Console.WriteLine($"| {name} | {b:F0} | {a:F0} | {a / b:F2}× |");
}
Console.WriteLine($"load average after: {BeforeAfter.LoadAverage()}");
return 0;

void Check(string what, bool same)
{
    Console.WriteLine($"identical before and after: {what}: {(same ? "yes" : "NO")}");
    if (!same) Environment.Exit(1);
}
