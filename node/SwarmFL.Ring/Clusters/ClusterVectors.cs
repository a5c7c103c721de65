using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SwarmFL.Crypto;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Clusters;

/// <summary>One test vector: members (PeerId bytes as hex, in a shuffled order), target size, expected cluster per member.</summary>
public sealed record ClusterVector(
    [property: JsonPropertyName("targetClusterSize")] int TargetClusterSize,
    [property: JsonPropertyName("peerIds")] IReadOnlyList<string> PeerIds,
    [property: JsonPropertyName("peerIdsBase58")] IReadOnlyList<string> PeerIdsBase58,
    [property: JsonPropertyName("ringIds")] IReadOnlyList<string> RingIds,
    [property: JsonPropertyName("clusters")] IReadOnlyList<int> Clusters);

/// <summary>
/// Deterministic vectors for cross-checking the contract against <see cref="ClusterAssignment"/>: secp256k1 keys derived
/// from a seed, so anyone can regenerate the same file (`swarmfl ring cluster-vectors --seed S`).
/// </summary>
public static class ClusterVectors
{
    public static IReadOnlyList<ClusterVector> Generate(int seed, int caseCount, int maxMembers = 40)
    {
        var random = new Random(seed);
        var vectors = new List<ClusterVector>();
        var keyCounter = 0;
        for (var c = 0; c < caseCount; c++)
        {
            var memberCount = c switch { 0 => 1, 1 => 2, _ => random.Next(1, maxMembers + 1) };
            var target = random.Next(1, Math.Max(2, memberCount + 2));
            var peers = Enumerable.Range(0, memberCount).Select(_ => DeterministicKey(seed, keyCounter++).PeerId).ToList();
            var hex = peers.Select(peer => Hex.Encode(peer.Bytes)).ToList();
            vectors.Add(new ClusterVector(
                target,
                hex,
                peers.Select(peer => peer.ToString()).ToList(),
                peers.Select(peer => "0x" + RingId.Of(peer)).ToList(),
                ClusterAssignment.AssignHex(hex, target)));
        }
        return vectors;
    }

    public static string ToJson(IReadOnlyList<ClusterVector> vectors) =>
        JsonSerializer.Serialize(vectors, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>A valid secp256k1 key from (seed, index): sha256 of both, re-hashed in the (negligible) case it is out of range.</summary>
    public static NodeKey DeterministicKey(int seed, int index)
    {
        var material = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes($"swarmfl-ring-vector/{seed}/{index}"));
        while (true)
        {
            try { return NodeKey.FromPrivateKey(material); }
            catch (Exception e) when (e is ArgumentException or FormatException) { material = SHA256.HashData(material); }
        }
    }
}
