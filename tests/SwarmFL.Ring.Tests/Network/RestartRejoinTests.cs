using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Network;
using SwarmFL.TestSupport;

namespace SwarmFL.Ring.Tests.Network;

/// <summary>
/// A ring member restarted on its data directory without a peer to join through (the first node of a swarm, started
/// with no --bootstrap) goes back into its ring through the members it last knew, instead of starting a ring alone.
/// </summary>
public sealed class RestartRejoinTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-ring-rejoin").FullName;
    private readonly List<RingNodeHost> _hosts = [];
    private static readonly ChordOptions Fast = new() { StabilizeInterval = TimeSpan.FromMilliseconds(200), FixFingersInterval = TimeSpan.FromSeconds(1) };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<RingNodeHost> StartAsync(string name, int port, string? join, ChordOptions? chord = null)
    {
        var host = await RingNodeHost.StartAsync(new RingNodeOptions
        {
            DataDirectory = Path.Combine(_dir, name), Listen = $"/ip4/127.0.0.1/tcp/{port}", Join = join, Chord = chord ?? Fast,
        });
        _hosts.Add(host);
        return host;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_member_restarted_without_a_bootstrap_peer_rejoins_through_the_members_it_last_knew()
    {
        var firstPort = FreePort.Next();
        var first = await StartAsync("first", firstPort, join: null);
        var second = await StartAsync("second", FreePort.Next(), first.Address.ToString());
        var third = await StartAsync("third", FreePort.Next(), first.Address.ToString());
        var saved = new KnownPeersFile(Path.Combine(_dir, "first", "ring-peers.json"));
        await WaitUntilAsync(() => saved.Load().Count >= 2, "the first member to save the peers it knows");

        await first.DisposeAsync(); // stops without leaving, as a crash would
        _hosts.Remove(first);
        var restarted = await StartAsync("first", firstPort, join: null);

        Assert.Equal(first.Node.Self, restarted.Node.Self); // same key, same place on the ring
        Assert.NotEqual(restarted.Node.Self, restarted.Node.Successor);
        Assert.Contains(restarted.Node.Successor, new[] { second.Node.Self, third.Node.Self });
        await WaitUntilAsync(() => restarted.Node.Predecessor is { } p && p != restarted.Node.Self, "the restarted member to get a predecessor again");
    }

    [Fact]
    public async Task A_member_back_after_its_neighbour_dropped_it_is_taken_back_when_it_notifies()
    {
        // Two members, so the survivor has nobody else to turn to. It drops the dead one at its first failure: with the
        // default three strikes the drop may never come, because a successor that fails over and a predecessor that is
        // cleared are not contacted again — and the drop is the precondition of this test, not its subject.
        var firstPort = FreePort.Next();
        var first = await StartAsync("first", firstPort, join: null);
        var second = await StartAsync("second", FreePort.Next(), first.Address.ToString(), Fast with { FailuresBeforeDrop = 1 });
        var saved = new KnownPeersFile(Path.Combine(_dir, "first", "ring-peers.json"));
        await WaitUntilAsync(() => saved.Load().Count >= 1 && second.Node.Predecessor == first.Node.Self && second.Node.Successor == first.Node.Self, "a ring of two");

        await first.DisposeAsync();
        _hosts.Remove(first);
        await WaitUntilAsync(() => second.Node.IsDropped(first.Node.Self), "the survivor to drop the dead member");
        var restarted = await StartAsync("first", firstPort, join: null);

        await WaitUntilAsync(() => second.Node.Predecessor == restarted.Node.Self && second.Node.Successor == restarted.Node.Self,
            "the survivor to take the restarted member back");
        Assert.False(second.Node.IsDropped(restarted.Node.Self));
    }

    [Fact]
    public async Task A_member_that_never_knew_a_ring_starts_its_own()
    {
        var alone = await StartAsync("alone", FreePort.Next(), join: null);
        Assert.Equal(alone.Node.Self, alone.Node.Successor);
    }
}
