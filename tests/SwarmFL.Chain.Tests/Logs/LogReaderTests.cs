using System.Text.Json;
using SwarmFL.Chain.Logs;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Tests.Logs;

/// <summary>
/// The log reader against a scripted node that has one log per block, refuses ranges wider than 10 blocks (as
/// providers with result limits do) and, for the follower, fails every third request at the transport level.
/// </summary>
public class LogReaderTests
{
    private static readonly EthereumAddress Contract = EthereumAddress.Parse("0x000000000000000000000000000000000000dEaD");

    private sealed class FakeChain
    {
        private long _head;
        public FakeChain(long head) => _head = head;
        public List<(ulong From, ulong To)> Queries { get; } = [];
        public bool FailEveryThird { get; init; }

        public void Advance(long blocks) => Interlocked.Add(ref _head, blocks);

        public ScriptedReply Reply(int n, string body)
        {
            using var request = JsonDocument.Parse(body);
            var root = request.RootElement;
            var id = root.GetProperty("id").GetRawText();
            if (FailEveryThird && n % 3 == 0) return new ScriptedReply.Answer(502, "bad gateway");
            switch (root.GetProperty("method").GetString())
            {
                case "eth_blockNumber":
                    return Ok(id, $"\"{Quantity.ToHex((ulong)Interlocked.Read(ref _head))}\"");
                case "eth_getLogs":
                    var filter = root.GetProperty("params")[0];
                    var from = (ulong)Quantity.Parse(filter.GetProperty("fromBlock"));
                    var to = (ulong)Quantity.Parse(filter.GetProperty("toBlock"));
                    lock (Queries) Queries.Add((from, to));
                    if (to - from + 1 > 10)
                        return new ScriptedReply.Answer(200, $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32005,\"message\":\"query returned more than 10000 results\"}}}}");
                    var logs = new List<string>();
                    for (var b = from; b <= to; b++) logs.Add(LogJson(b));
                    return Ok(id, "[" + string.Join(",", logs) + "]");
                default:
                    return new ScriptedReply.Answer(200, $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32601,\"message\":\"no such method\"}}}}");
            }
        }

        private static ScriptedReply Ok(string id, string result) => new ScriptedReply.Answer(200, $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{result}}}");

        private static string LogJson(ulong block) =>
            $"{{\"address\":\"{Contract}\",\"topics\":[\"{Hex.Encode(Keccak256.Hash("Event()"))}\"],\"data\":\"0x\"," +
            $"\"blockNumber\":\"{Quantity.ToHex(block)}\",\"blockHash\":\"{Hex.Encode(new byte[32])}\"," +
            $"\"transactionHash\":\"{Hex.Encode(Keccak256.Hash(BitConverter.GetBytes(block)))}\",\"logIndex\":\"0x0\",\"removed\":false}}";
    }

    [Fact]
    public async Task RangesTheNodeRefusesAreSplitUntilItAnswers()
    {
        var chain = new FakeChain(99);
        await using var server = new ScriptedHttpServer(chain.Reply);
        using var eth = new EthClient(new JsonRpcClient(server.Url));
        var logs = await new LogReader(eth) { ChunkSize = 64 }.GetLogsAsync(Contract, [], 0, 99);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), logs.Select(l => l.BlockNumber));
        Assert.Contains(chain.Queries, q => q.To - q.From + 1 > 10);   // it tried wide ranges first
        Assert.True(chain.Queries.Count(q => q.To - q.From + 1 <= 10) >= 10);
    }

    [Fact]
    public async Task TheFollowerSeesEveryLogOnceThroughTransportFailures()
    {
        var chain = new FakeChain(4) { FailEveryThird = true };
        await using var server = new ScriptedHttpServer(chain.Reply);
        using var eth = new EthClient(new JsonRpcClient(new Uri(server.Url), new JsonRpcOptions { MaxAttempts = 1 }));
        var reader = new LogReader(eth) { PollInterval = TimeSpan.FromMilliseconds(20), ChunkSize = 8 };
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var seen = new List<ulong>();
        await foreach (var log in reader.FollowAsync(Contract, [], 0, stop.Token))
        {
            seen.Add(log.BlockNumber);
            if (seen.Count % 5 == 0) chain.Advance(7);
            if (seen.Count == 40) break;
        }
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (ulong)i), seen);
        Assert.True(eth.Traffic.TransportFailures > 0);
    }
}
