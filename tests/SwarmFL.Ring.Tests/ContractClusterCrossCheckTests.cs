using System.Text.Json;
using SwarmFL.Ring.Clusters;
using SwarmFL.TestSupport;

namespace SwarmFL.Ring.Tests;

/// <summary>
/// The contract and the nodes must put every member in the same cluster (docs/clusters.md). This deploys the real
/// SwarmCoordinator on Hardhat's EVM, registers many memberships, and compares its clusterOf with ClusterAssignment.
/// </summary>
public class ContractClusterCrossCheckTests
{
    [Fact]
    public async Task The_contract_and_ClusterAssignment_agree_for_many_random_memberships()
    {
        RepoPaths.RequireNodeModules();
        var random = new Random(20261122);
        var cases = new List<int[]>();
        foreach (var (count, target) in new[] { (1, 4), (2, 4), (3, 4), (4, 4), (5, 4), (7, 3), (9, 4), (16, 4), (33, 4), (10, 1), (6, 2), (17, 5) })
            cases.Add([count, target, random.Next()]);
        for (var i = 0; i < 8; i++) cases.Add([random.Next(1, 25), random.Next(1, 8), random.Next()]);

        var hardhat = Path.Combine(RepoPaths.NodeModules, ".bin", "hardhat");
        var result = await ProcessRunner.RunAsync(hardhat, ["run", "tests/interop/clusters/contract-clusters.js"],
            env: new Dictionary<string, string> { ["CLUSTER_CASES"] = JsonSerializer.Serialize(cases), ["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true" });
        result.EnsureSuccess("hardhat run contract-clusters.js");

        var lines = result.StdOut.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.Equal(cases.Count, lines.Count);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var target = json.RootElement.GetProperty("target").GetInt32();
            var peerIds = json.RootElement.GetProperty("peerIds").EnumerateArray().Select(e => e.GetString()!).ToList();
            var contractClusters = json.RootElement.GetProperty("clusters").EnumerateArray().Select(e => e.GetInt32()).ToArray();

            Assert.Equal(ClusterAssignment.ClusterCount(peerIds.Count, target), json.RootElement.GetProperty("clusterCount").GetInt32());
            Assert.Equal(ClusterAssignment.AssignHex(peerIds, target), contractClusters);
        }
    }
}
