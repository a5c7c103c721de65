using System.Text;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Rpc;

/// <summary>eth_subscribe newHeads over WebSocket on a real Hardhat node (same port as HTTP), and the notification parser.</summary>
[Collection(HardhatCollection.Name)]
public class NewHeadsSubscriptionTests(HardhatNode hardhat)
{
    [Fact]
    public async Task Hardhat_sends_each_new_block_over_the_websocket_on_its_rpc_port()
    {
        using var eth = new EthClient(new JsonRpcClient(hardhat.RpcUrl));
        string? whyNot = null;
        await using var subscription = await NewHeadsSubscription.TryOpenAsync(eth.Endpoint, eth.Traffic, r => whyNot = r);
        Assert.True(subscription is not null, whyNot);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var heads = subscription.ReadAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        await eth.MineAsync();
        var latest = await eth.BlockNumberAsync();
        Assert.True(await heads.MoveNextAsync());
        // Other tests share this node and may mine too: the head we mined arrives, in order.
        while (heads.Current.Number < latest) Assert.True(await heads.MoveNextAsync());
        Assert.Equal(latest, heads.Current.Number);
        var block = await eth.GetBlockByNumberAsync(latest);
        Assert.Equal(block!.Timestamp, heads.Current.Timestamp);
        Assert.True(eth.Traffic.Notifications >= 1);
        await heads.DisposeAsync();
    }

    [Fact]
    public async Task An_endpoint_without_websocket_yields_no_subscription_and_says_why()
    {
        await using var server = new ScriptedHttpServer((_, _) => new ScriptedReply.Answer(400, "no upgrade here"));
        string? whyNot = null;
        var subscription = await NewHeadsSubscription.TryOpenAsync(new Uri(server.Url), new RpcTrafficCounter(), r => whyNot = r);
        Assert.Null(subscription);
        Assert.Contains("no WebSocket JSON-RPC at ws://127.0.0.1", whyNot);
    }

    [Fact]
    public void Notifications_parse_only_for_our_subscription()
    {
        const string note = """{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xab","result":{"number":"0x10","timestamp":"0x5f5e100","hash":"0x00"}}}""";
        Assert.Equal(new ChainHeadInfo(16, 100_000_000), NewHeadsSubscription.TryParseHead(Encoding.UTF8.GetBytes(note), "0xab"));
        Assert.Null(NewHeadsSubscription.TryParseHead(Encoding.UTF8.GetBytes(note), "0xcd"));
        Assert.Null(NewHeadsSubscription.TryParseHead(Encoding.UTF8.GetBytes(note.Replace("0x10", "16")), "0xab"));
    }

    /// <summary>Whatever arrives on the socket, the parser answers null or a head; it never throws.</summary>
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Arbitrary_text_never_throws_from_the_parser(string text, ulong number)
    {
        var mangled = $"{{\"method\":\"eth_subscription\",\"params\":{{\"subscription\":\"0xab\",\"result\":{{\"number\":\"{text}\",\"timestamp\":\"0x{number:x}\"}}}}}}";
        NewHeadsSubscription.TryParseHead(Encoding.UTF8.GetBytes(text ?? ""), "0xab");
        NewHeadsSubscription.TryParseHead(Encoding.UTF8.GetBytes(mangled), "0xab");
    }
}
