using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.Protocols.RequestResponse;
using SwarmFL.P2P.Resources;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Network;
using SwarmFL.Ring.Network.Messages;

namespace SwarmFL.Ring.Tests.Network;

/// <summary>
/// Three ring members on real loopback sockets with on-disk stores, one replica per blob (two holders with the one
/// node of slack): a member that hands a replica over a real /swarmfl/ring-store stream to the one node that is not
/// among the blob's holders is refused, and nothing reaches that node's disk; the blob's owner takes the same bytes.
/// </summary>
public sealed class ReplicaHolderGateTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("swarmfl-holders").FullName;
    private readonly List<RingNodeHost> _ring = [];

    public async Task InitializeAsync()
    {
        var chord = new SwarmFL.Ring.Chord.ChordOptions { StabilizeInterval = TimeSpan.FromMilliseconds(200), SuccessorListLength = 2 };
        var first = await RingNodeHost.StartAsync(new RingNodeOptions { DataDirectory = Path.Combine(_root, "n0"), Replicas = 1, Chord = chord });
        _ring.Add(first);
        for (var i = 1; i < 3; i++)
            _ring.Add(await RingNodeHost.StartAsync(new RingNodeOptions { DataDirectory = Path.Combine(_root, $"n{i}"), Replicas = 1, Chord = chord, Join = first.Address.ToString() }));
        await WaitForRingAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _ring) await node.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Until every member's successor is the next member in ring order (polled, capped at 3 minutes).</summary>
    private async Task WaitForRingAsync()
    {
        var sorted = _ring.OrderBy(n => n.Node.Self.Id).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!sorted.Select((n, i) => n.Node.Successor == sorted[(i + 1) % sorted.Count].Node.Self).All(ok => ok))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the three-member ring did not stabilize in 3 minutes");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_replica_offered_to_a_node_outside_its_holders_is_refused_and_nothing_is_written()
    {
        using var cap = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var blob = new byte[1 << 20];
        new Random(14).NextBytes(blob);
        var cid = ContentId.Of(blob);
        // successor(cid) owns it and its successor is the one node of slack; the third member holds nothing of it.
        var sorted = _ring.OrderBy(n => n.Node.Self.Id).ToList();
        var owner = sorted.FindIndex(n => n.Node.Self.Id.CompareTo(RingId.Of(cid)) >= 0);
        if (owner < 0) owner = 0;
        var outsider = sorted[(owner + 2) % 3];
        var sender = sorted[(owner + 1) % 3];
        var request = new StoreRequest { Cid = ByteString.CopyFrom(cid.ToBytes()), Content = ByteString.CopyFrom(blob) };

        var refused = await RequestResponse.SendAsync(sender.Host, outsider.Key.PeerId, Libp2pRingTransport.StoreProtocol, request, StoreResponse.Parser, cap.Token);

        Assert.False(refused.Accepted);
        Assert.False(outsider.Store.Local.Contains(cid));
        Assert.Equal(0, BlobBytes(outsider));
        Assert.Equal(1, outsider.Host.Resources.Refusals.Get(RefusedKind.Message, RefusalReason.NotAReplicaHolder));

        // The same bytes from the same member are taken by the blob's owner: the refusal was about who holds it.
        var accepted = await RequestResponse.SendAsync(sender.Host, sorted[owner].Key.PeerId, Libp2pRingTransport.StoreProtocol, request, StoreResponse.Parser, cap.Token);
        Assert.True(accepted.Accepted, accepted.Error);
        Assert.True(sorted[owner].Store.Local.Contains(cid));
    }

    private static long BlobBytes(RingNodeHost node) =>
        Directory.EnumerateFiles(Path.Combine(node.Options.DataDirectory, "models"), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "index.json").Sum(f => new FileInfo(f).Length);
}
