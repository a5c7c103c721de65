using System.Text.Json;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Rpc;

/// <summary>
/// JSON-RPC batches against a counting scripted server on a real socket: the calls a flow starts inside a batch scope
/// go out in one request, each gets its own answer (matched by id, in any order), a node without batches still answers.
/// </summary>
public class JsonRpcBatchTests
{
    private static readonly JsonRpcOptions Fast = new()
    {
        MaxAttempts = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Answers each call of a batch with its method name (reversed order), eth_fail with an error.</summary>
    private static string AnswerBatch(string body)
    {
        using var request = JsonDocument.Parse(body);
        if (request.RootElement.ValueKind == JsonValueKind.Object)
            return $"{{\"jsonrpc\":\"2.0\",\"id\":{request.RootElement.GetProperty("id").GetRawText()},\"result\":\"alone\"}}";
        var answers = request.RootElement.EnumerateArray().Reverse().Select(call =>
        {
            var id = call.GetProperty("id").GetRawText();
            var method = call.GetProperty("method").GetString();
            return method == "eth_fail"
                ? $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":3,\"message\":\"execution reverted\"}}}}"
                : $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"{method}\"}}";
        });
        return "[" + string.Join(',', answers) + "]";
    }

    [Fact]
    public async Task Calls_started_in_a_batch_scope_go_out_as_one_request_and_each_gets_its_own_answer()
    {
        var bodies = new List<string>();
        await using var server = new ScriptedHttpServer((_, body) =>
        {
            lock (bodies) bodies.Add(body);
            return new ScriptedReply.Answer(200, AnswerBatch(body));
        });
        using var rpc = new JsonRpcClient(server.Url, Fast);
        Task<JsonElement> a, b, failing;
        using (var batch = rpc.BeginBatch())
        {
            a = rpc.CallAsync("eth_a", []);
            b = rpc.CallAsync("eth_b", [1, "x"]);
            failing = rpc.CallAsync("eth_fail", []);
            Assert.Equal(3, batch.Count);
            Assert.Equal(0, server.Requests);
            await batch.SendAsync();
        }
        Assert.Equal("eth_a", (await a).GetString());
        Assert.Equal("eth_b", (await b).GetString());
        var error = await Assert.ThrowsAsync<JsonRpcErrorException>(() => failing);
        Assert.Equal(3, error.Code);
        Assert.Equal(1, server.Requests);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(bodies.Single()).RootElement.ValueKind);
        Assert.Equal(1, rpc.Traffic.Requests);
        Assert.Equal(3, rpc.Traffic.Calls);
        Assert.Equal(1, rpc.Traffic.CallsByMethod["eth_b"]);

        // Outside the scope, and after the send inside it, calls go alone.
        Assert.Equal("alone", (await rpc.CallAsync("eth_single", [])).GetString());
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task A_call_made_after_the_batch_was_sent_goes_alone_instead_of_waiting()
    {
        await using var server = new ScriptedHttpServer((_, body) => new ScriptedReply.Answer(200, AnswerBatch(body)));
        using var rpc = new JsonRpcClient(server.Url, Fast);
        using var batch = rpc.BeginBatch();
        var first = rpc.CallAsync("eth_first", []);
        await batch.SendAsync();
        Assert.Equal("eth_first", (await first).GetString());
        Assert.Equal("alone", (await rpc.CallAsync("eth_later", [])).GetString());
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task A_node_that_refuses_batches_gets_the_calls_one_by_one()
    {
        await using var server = new ScriptedHttpServer((_, body) => new ScriptedReply.Answer(200, body.TrimStart().StartsWith('[')
            ? "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batches are not supported\"}}"
            : $"{{\"jsonrpc\":\"2.0\",\"id\":{JsonDocument.Parse(body).RootElement.GetProperty("id").GetRawText()},\"result\":\"{JsonDocument.Parse(body).RootElement.GetProperty("method").GetString()}\"}}"));
        using var rpc = new JsonRpcClient(server.Url, Fast);
        Task<JsonElement> a, b;
        using (var batch = rpc.BeginBatch())
        {
            a = rpc.CallAsync("eth_a", []);
            b = rpc.CallAsync("eth_b", []);
            await batch.SendAsync();
        }
        Assert.Equal("eth_a", (await a).GetString());
        Assert.Equal("eth_b", (await b).GetString());
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task A_batch_answer_missing_a_call_fails_that_call_only_and_a_dead_endpoint_fails_them_all()
    {
        await using (var server = new ScriptedHttpServer((_, body) =>
        {
            var first = JsonDocument.Parse(body).RootElement[0].GetProperty("id").GetRawText();
            return new ScriptedReply.Answer(200, $"[{{\"jsonrpc\":\"2.0\",\"id\":{first},\"result\":\"0x1\"}}]");
        }))
        {
            using var rpc = new JsonRpcClient(server.Url, Fast);
            Task<JsonElement> answered, missing;
            using (var batch = rpc.BeginBatch())
            {
                answered = rpc.CallAsync("eth_a", []);
                missing = rpc.CallAsync("eth_b", []);
                await batch.SendAsync();
            }
            Assert.Equal("0x1", (await answered).GetString());
            var e = await Assert.ThrowsAsync<ChainRpcException>(() => missing);
            Assert.Contains("no response with id", e.Message);
        }

        using var dead = new JsonRpcClient($"http://127.0.0.1:{FreePort.Next()}", Fast);
        Task<JsonElement> x, y;
        using (var batch = dead.BeginBatch())
        {
            x = dead.CallAsync("eth_x", []);
            y = dead.CallAsync("eth_y", []);
            await batch.SendAsync();
        }
        await Assert.ThrowsAsync<ChainUnavailableException>(() => x);
        await Assert.ThrowsAsync<ChainUnavailableException>(() => y);
    }

    [Fact]
    public async Task Held_calls_of_a_batch_that_is_never_sent_fail_instead_of_hanging()
    {
        using var rpc = new JsonRpcClient($"http://127.0.0.1:{FreePort.Next()}", Fast);
        Task<JsonElement> held;
        using (rpc.BeginBatch()) held = rpc.CallAsync("eth_held", []);
        await Assert.ThrowsAsync<InvalidOperationException>(() => held);
    }
}
