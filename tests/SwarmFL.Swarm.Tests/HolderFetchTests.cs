using SwarmFL.Crypto;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Tests;

/// <summary>A fetch tries every holder, each under a deadline from the model's size: slow, silent or lying holders are passed over.</summary>
public class HolderFetchTests
{
    private static readonly byte[] Model = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
    private static readonly ContentId Id = ContentId.Of(Model);
    // A short allowance keeps the test quick; nothing below asserts how long anything took.
    private static readonly FetchLimits Limits = new(MaxBytes: Model.Length, MinimumBytesPerSecond: 1e6, Allowance: TimeSpan.FromMilliseconds(300));

    private static async Task<byte[]> Trickle(CancellationToken ct)
    {
        // One byte a second would take 100 s for this model: the deadline ends it long before.
        for (var i = 0; i < Model.Length; i++) await Task.Delay(TimeSpan.FromSeconds(1), ct);
        return Model;
    }

    [Fact]
    public async Task A_trickling_and_an_unreachable_holder_are_abandoned_and_the_next_holder_serves()
    {
        var asked = new List<string>();
        var bytes = await HolderFetch.FirstAsync(Id, ["trickler", "unreachable", "liar", "honest"], Limits, (holder, max, ct) =>
        {
            lock (asked) asked.Add(holder);
            Assert.Equal(Model.Length, max); // never more than the model's exact size
            return holder switch
            {
                "trickler" => Trickle(ct),
                "unreachable" => throw new IOException("connection refused"),
                "liar" => Task.FromResult(new byte[] { 1, 2, 3 }),
                _ => Task.FromResult(Model),
            };
        }, TimeProvider.System, default);

        Assert.Equal(Model, bytes);
        Assert.Equal(["trickler", "unreachable", "liar", "honest"], asked);
    }

    [Fact]
    public async Task With_no_holder_able_to_serve_the_fetch_fails_and_names_every_reason()
    {
        var e = await Assert.ThrowsAsync<ModelUnavailableException>(() => HolderFetch.FirstAsync(Id, ["trickler", "unreachable", "oversized"], Limits,
            (holder, _, ct) => holder switch
            {
                "trickler" => Trickle(ct),
                "unreachable" => throw new IOException("connection refused"),
                _ => Task.FromResult(new byte[Model.Length + 1]),
            }, TimeProvider.System, default));
        Assert.Contains("trickler: no complete answer within", e.Message);
        Assert.Contains("unreachable: connection refused", e.Message);
        Assert.Contains("oversized: sent 101 bytes", e.Message);
        await Assert.ThrowsAsync<ModelUnavailableException>(() => HolderFetch.FirstAsync<string>(Id, [], Limits, (_, _, _) => Task.FromResult(Model), TimeProvider.System, default));
    }

    [Fact]
    public void The_deadline_grows_with_the_models_size_at_the_minimum_rate()
    {
        var cnn = FetchLimits.For(6_653_552);
        Assert.Equal(FetchLimits.DefaultAllowance + TimeSpan.FromSeconds(6_653_552 / FetchLimits.DefaultMinimumBytesPerSecond), cnn.Deadline);
        Assert.True(FetchLimits.For(2 * 6_653_552).Deadline > cnn.Deadline);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_mistaken_for_a_slow_holder()
    {
        using var cts = new CancellationTokenSource();
        var fetch = HolderFetch.FirstAsync(Id, ["a"], Limits with { Allowance = TimeSpan.FromMinutes(5) }, (_, _, ct) => Trickle(ct), TimeProvider.System, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch);
    }
}
