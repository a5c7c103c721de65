using System.Net;
using System.Text;
using System.Text.Json;
using SwarmFL.Chain.Rpc;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>The per-method counts behind swarmfl_chain_rpc_requests_total and swarmfl_chain_rpc_errors_total.</summary>
public sealed class RpcMethodCountsTests
{
    private sealed class Scripted : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(ct));
            var id = body.RootElement.GetProperty("id").GetInt64();
            var method = body.RootElement.GetProperty("method").GetString();
            var json = method switch
            {
                "ok" => "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x1\"}",
                "fails" => "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32000,\"message\":\"nope\"}}",
                "garbled" => "not json",
                _ => null,
            };
            return json is null
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    [Fact]
    public async Task Calls_count_once_however_many_attempts_and_failures_count_by_kind()
    {
        using var client = new JsonRpcClient(new Uri("http://127.0.0.1:1"), new JsonRpcOptions { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(1) }, handler: new Scripted());
        await client.CallAsync("ok", []);
        await client.CallAsync("ok", []);
        await Assert.ThrowsAsync<JsonRpcErrorException>(() => client.CallAsync("fails", []));
        await Assert.ThrowsAsync<ChainRpcException>(() => client.CallAsync("garbled", []));
        await Assert.ThrowsAsync<ChainUnavailableException>(() => client.CallAsync("down", []));

        var counts = client.Traffic.ByMethod();
        Assert.Equal((2, 0, 0, 0), Of(counts["ok"]));
        Assert.Equal((1, 0, 1, 0), Of(counts["fails"]));
        Assert.Equal((1, 0, 0, 1), Of(counts["garbled"]));
        Assert.Equal((1, 1, 0, 0), Of(counts["down"]));
        Assert.Equal(2 + 1 + 1 + 3, client.Traffic.Requests); // the attempts, as before: three for the endpoint that was down
    }

    private static (long, long, long, long) Of(RpcMethodCounts c) => (c.Calls, c.TransportErrors, c.RpcErrors, c.Malformed);
}
