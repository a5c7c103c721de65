using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;
using SwarmFL.Node.Dashboard;

namespace SwarmFL.Node.Tests.Dashboard;

/// <summary>The timeline shows the votes on a merge and its endorsement, not only publications.</summary>
public sealed class ChainEventViewsTests
{
    private static readonly EthereumAddress Leader = NodeKey.Generate().Address;
    private static readonly EthereumAddress Member = NodeKey.Generate().Address;
    private static readonly LogEntry Log = new(EthereumAddress.Zero, [], [], 42, new byte[32], new byte[32], 3, false);

    [Fact]
    public void Objections_supports_voids_and_endorsements_are_rows_with_their_cluster_and_actor()
    {
        var rows = new SwarmEvent[]
        {
            new MergeObjected(7, 2, Member, Leader, 1, 2) { Log = Log },
            new MergeSupported(7, 2, Member, Leader, 1, 1) { Log = Log },
            new MergeVoided(7, 2, Leader, EthereumAddress.Zero, 1) { Log = Log },
            new MergeEndorsed(8, 1, Leader, 3) { Log = Log },
        }.Select(ChainEventViews.From).ToList();

        Assert.Equal(["objected", "supported", "voided", "endorsed"], rows.Select(r => r!.Kind));
        Assert.Equal([Member.ToString(), Member.ToString(), Leader.ToString(), Leader.ToString()], rows.Select(r => r!.Actor));
        Assert.Equal([2, 2, 2, 1], rows.Select(r => r!.Cluster));
        Assert.Contains("cluster skipped", rows[2]!.Detail);
        Assert.Contains("all 3 other committers", rows[3]!.Detail);
        Assert.All(rows, r => Assert.Equal(42ul, r!.Block));
    }
}
