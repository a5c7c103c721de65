using System.Text.Json;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Rpc;

/// <summary>The RPC client against a scripted server on a real socket: retries, timeouts and malformed answers.</summary>
public class JsonRpcClientTests
{
    private static readonly JsonRpcOptions Fast = new()
    {
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(40),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    private static string Result(string body, string result) =>
        $"{{\"jsonrpc\":\"2.0\",\"id\":{JsonDocument.Parse(body).RootElement.GetProperty("id").GetRawText()},\"result\":{result}}}";

    [Fact]
    public async Task UnreachableEndpointFailsAfterBoundedRetriesNamingMethodAndEndpoint()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        using var eth = new EthClient(new JsonRpcClient(url, Fast));
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => eth.ChainIdAsync());
        Assert.Equal($"eth_chainId at {url}: connection refused after 3 attempts", e.Message);
        Assert.Equal(3, e.Attempts);
        Assert.Equal(3, eth.Traffic.TransportFailures);
    }

    [Fact]
    public async Task ServerErrorsAndDroppedConnectionsAreRetriedThenSucceed()
    {
        await using var server = new ScriptedHttpServer((n, body) => n switch
        {
            1 => new ScriptedReply.Answer(503, "busy"),
            2 => new ScriptedReply.Drop(),
            _ => new ScriptedReply.Answer(200, Result(body, "\"0x7a69\"")),
        });
        using var eth = new EthClient(new JsonRpcClient(server.Url, Fast));
        Assert.Equal(31337, await eth.ChainIdAsync());
        Assert.Equal(3, server.Requests);
        Assert.Equal(2, eth.Traffic.TransportFailures);
        Assert.Equal(2, eth.Traffic.Responses); // the 503 and the success; the dropped connection gave none
        Assert.True(eth.Traffic.BytesSent > 0 && eth.Traffic.BytesReceived > 0);
    }

    [Fact]
    public async Task JsonRpcErrorsAreNotRetried()
    {
        await using var server = new ScriptedHttpServer((_, body) => new ScriptedReply.Answer(200,
            $"{{\"jsonrpc\":\"2.0\",\"id\":{JsonDocument.Parse(body).RootElement.GetProperty("id")},\"error\":{{\"code\":-32000,\"message\":\"nonce too low\"}}}}"));
        using var eth = new EthClient(new JsonRpcClient(server.Url, Fast));
        var e = await Assert.ThrowsAsync<JsonRpcErrorException>(() => eth.SendRawTransactionAsync([2, 0xc0]));
        Assert.Equal(1, server.Requests);
        Assert.Equal(-32000, e.Code);
        Assert.Equal($"eth_sendRawTransaction at {server.Url}: error -32000: nonce too low", e.Message);
    }

    [Theory]
    [InlineData("this is not json", "not JSON")]
    [InlineData("[1,2,3]", "expected a JSON-RPC response object")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":\"0x1\"}", "does not match request id")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1}", "neither result nor error")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"boom\"}", "malformed error object")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":12}", "malformed result")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0xzz\"}", "malformed result")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"12\"}", "malformed result")]
    public async Task MalformedResponsesBecomeChainRpcExceptionsWithoutRetry(string response, string expected)
    {
        await using var server = new ScriptedHttpServer((_, _) => new ScriptedReply.Answer(200, response));
        using var eth = new EthClient(new JsonRpcClient(server.Url, Fast));
        var e = await Assert.ThrowsAsync<ChainRpcException>(() => eth.BlockNumberAsync());
        Assert.StartsWith($"eth_blockNumber at {server.Url}:", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task MalformedReceiptsAndLogsAreErrorsNotCrashes()
    {
        await using var server = new ScriptedHttpServer((_, body) => new ScriptedReply.Answer(200, Result(body, "{\"transactionHash\":\"0x01\"}")));
        using var eth = new EthClient(new JsonRpcClient(server.Url, Fast));
        var e = await Assert.ThrowsAsync<ChainRpcException>(() => eth.GetTransactionReceiptAsync(new byte[32]));
        Assert.Contains("malformed result", e.Message);
        await Assert.ThrowsAsync<ChainRpcException>(() => eth.GetLogsAsync(new LogFilter(SwarmFL.Crypto.EthereumAddress.Zero, [], 0, 1)));
    }

    [Fact]
    public async Task ASilentServerTimesOutPerAttempt()
    {
        await using var server = new ScriptedHttpServer((_, _) => new ScriptedReply.Hang());
        using var eth = new EthClient(new JsonRpcClient(server.Url, Fast with { RequestTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 2 }));
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => eth.ChainIdAsync());
        Assert.Equal($"eth_chainId at {server.Url}: no answer within 0.3 s after 2 attempts", e.Message);
        // The server counts a request once it has read it, which on a busy machine can come after the client gave up.
        for (var waited = 0; server.Requests < 2 && waited < 100; waited++) await Task.Delay(50);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task CallerCancellationIsNotReportedAsATransportFailure()
    {
        await using var server = new ScriptedHttpServer((_, _) => new ScriptedReply.Hang());
        using var eth = new EthClient(new JsonRpcClient(server.Url, Fast));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => eth.ChainIdAsync(cts.Token));
        Assert.Equal(0, eth.Traffic.TransportFailures);
    }

    [Fact]
    public void QuantitiesAreStrict()
    {
        Assert.Equal("0x0", Quantity.ToHex(System.Numerics.BigInteger.Zero));
        Assert.Equal("0x7a69", Quantity.ToHex(31337UL));
        Assert.Equal(31337, Quantity.Parse("0x7a69"));
        Assert.Throws<FormatException>(() => Quantity.Parse("7a69"));
        Assert.Throws<FormatException>(() => Quantity.Parse("0x"));
        Assert.Throws<FormatException>(() => Quantity.Parse("0x-1"));
    }
}

/// <summary>Mutated receipts and logs from a scripted node: every answer is a result or a ChainRpcException, never a crash.</summary>
public class MalformedResponseFuzzTests
{
    private const string Receipt =
        "{\"transactionHash\":\"0x8d36e8f5f3e2a7a4d2d2c1bcbcc0a0f9bcae9b87d1e5e4c1a1e3e5b7c9d0e1f2\",\"status\":\"0x1\",\"blockNumber\":\"0x2a\"," +
        "\"gasUsed\":\"0x5208\",\"effectiveGasPrice\":\"0x3b9aca00\",\"contractAddress\":null,\"logs\":[{\"address\":\"0x000000000000000000000000000000000000dead\"," +
        "\"topics\":[\"0x0000000000000000000000000000000000000000000000000000000000000001\"],\"data\":\"0x1234\",\"blockNumber\":\"0x2a\"," +
        "\"blockHash\":\"0x0000000000000000000000000000000000000000000000000000000000000002\",\"transactionHash\":\"0x0000000000000000000000000000000000000000000000000000000000000003\"," +
        "\"logIndex\":\"0x0\",\"removed\":false}]}";

    [Fact]
    public async Task MutatedReceiptsGiveAReceiptOrAChainRpcException()
    {
        var random = new Random(4242);
        string current = "";
        await using var server = new ScriptedHttpServer((_, body) =>
        {
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetRawText();
            return new ScriptedReply.Answer(200, $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{current}}}");
        });
        using var eth = new EthClient(new JsonRpcClient(server.Url));
        int decoded = 0, refused = 0;
        for (var i = 0; i < 300; i++)
        {
            current = Mutate(Receipt, random);
            try
            {
                await eth.GetTransactionReceiptAsync(new byte[32]);
                decoded++;
            }
            catch (ChainRpcException)
            {
                refused++;
            }
        }
        Assert.Equal(300, decoded + refused);
        Assert.True(refused > 100, $"only {refused} of 300 mutations were refused");
        current = Receipt;
        Assert.True((await eth.GetTransactionReceiptAsync(new byte[32]))!.Succeeded);
    }

    private static string Mutate(string json, Random random)
    {
        var chars = json.ToCharArray().ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0: chars.RemoveRange(at, Math.Min(random.Next(1, 20), chars.Count - at)); break;
                case 1: chars[at] = "{}[]\",:0x1fgz-"[random.Next(14)]; break;
                case 2: chars.Insert(at, "\"{}[],:x9"[random.Next(9)]); break;
                default: chars = chars.Take(at).ToList(); break;
            }
            if (chars.Count == 0) chars.Add('0');
        }
        return new string(chars.ToArray());
    }
}
