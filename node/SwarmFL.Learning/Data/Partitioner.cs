using System.Globalization;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Data;

/// <summary>
/// How a dataset is split among clients. Every scheme is a pure function of (labels, clients, seed): the same
/// arguments give the same partition on every machine. Parts are disjoint, together cover every sample, and list
/// their sample indices in ascending order.
/// </summary>
public abstract class Partitioner
{
    public abstract string Name { get; }

    /// <summary>Splits by class label (or, for regression, by <see cref="Dataset.StrataForPartitioning"/>).</summary>
    public abstract int[][] Split(IReadOnlyList<int> labels, int clients, ulong seed);

    /// <summary>MNIST's byte labels; the same split as their integer values give.</summary>
    public int[][] Split(IReadOnlyList<byte> labels, int clients, ulong seed) => Split(labels.Select(l => (int)l).ToArray(), clients, seed);

    public int[][] Split(Dataset data, int clients, ulong seed) => Split(data.StrataForPartitioning(), clients, seed);

    /// <summary>Reads "iid", "shards:K" or "dirichlet:α".</summary>
    public static Partitioner Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        return parts switch
        {
            ["iid"] => new IidPartitioner(),
            ["shards", var k] when int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out var shards) && shards > 0
                => new ShardPartitioner(shards),
            ["dirichlet", var a] when double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var alpha) && alpha > 0
                => new DirichletPartitioner(alpha),
            _ => throw new FormatException($"unknown partition '{text}'; expected iid, shards:K (K ≥ 1) or dirichlet:α (α > 0)"),
        };
    }

    protected static void RequireClients(int count, int clients)
    {
        if (clients < 1) throw new ArgumentException($"need at least one client, got {clients}");
        if (clients > count) throw new ArgumentException($"{clients} clients for {count} samples leaves some clients empty");
    }

    protected static int[][] Sorted(List<int>[] parts) => parts.Select(p => { var a = p.ToArray(); Array.Sort(a); return a; }).ToArray();
}

/// <summary>A seeded shuffle, cut into equal parts (sizes differ by at most one).</summary>
public sealed class IidPartitioner : Partitioner
{
    public override string Name => "iid";

    public override int[][] Split(IReadOnlyList<int> labels, int clients, ulong seed)
    {
        RequireClients(labels.Count, clients);
        var order = new DeterministicRandom(seed).Permutation(labels.Count);
        var parts = new List<int>[clients];
        for (var c = 0; c < clients; c++)
        {
            var (begin, end) = ((long)labels.Count * c / clients, (long)labels.Count * (c + 1) / clients);
            parts[c] = order[(int)begin..(int)end].ToList();
        }
        return Sorted(parts);
    }
}

/// <summary>
/// The FedAvg paper's pathological non-IID split: sort by label, cut into clients·K equal shards, and give each
/// client K shards chosen by a seeded shuffle (with K=2 most clients see only two digits).
/// </summary>
public sealed class ShardPartitioner(int shardsPerClient) : Partitioner
{
    public int ShardsPerClient { get; } = shardsPerClient;
    public override string Name => $"shards:{ShardsPerClient}";

    public override int[][] Split(IReadOnlyList<int> labels, int clients, ulong seed)
    {
        RequireClients(labels.Count, clients);
        var shards = clients * ShardsPerClient;
        if (shards > labels.Count) throw new ArgumentException($"{shards} shards for {labels.Count} samples");
        var byLabel = Enumerable.Range(0, labels.Count).OrderBy(i => labels[i]).ThenBy(i => i).ToArray();
        var shardOrder = new DeterministicRandom(seed).Permutation(shards);
        var parts = new List<int>[clients];
        for (var c = 0; c < clients; c++)
        {
            parts[c] = [];
            for (var k = 0; k < ShardsPerClient; k++)
            {
                var shard = shardOrder[c * ShardsPerClient + k];
                var (begin, end) = ((long)labels.Count * shard / shards, (long)labels.Count * (shard + 1) / shards);
                parts[c].AddRange(byLabel[(int)begin..(int)end]);
            }
        }
        return Sorted(parts);
    }
}

/// <summary>
/// Label skew by a Dirichlet prior (Hsu et al. 2019): for each class, client shares are drawn from Dir(α) and the
/// class's shuffled samples are cut at the cumulative shares. Small α gives strong skew; some clients may be empty.
/// </summary>
public sealed class DirichletPartitioner(double alpha) : Partitioner
{
    public double Alpha { get; } = alpha;
    public override string Name => $"dirichlet:{Alpha.ToString(CultureInfo.InvariantCulture)}";

    public override int[][] Split(IReadOnlyList<int> labels, int clients, ulong seed)
    {
        RequireClients(labels.Count, clients);
        var random = new DeterministicRandom(seed);
        var parts = Enumerable.Range(0, clients).Select(_ => new List<int>()).ToArray();
        foreach (var label in labels.Distinct().OrderBy(l => l))
        {
            var members = Enumerable.Range(0, labels.Count).Where(i => labels[i] == label).ToArray();
            random.Shuffle(members);
            var shares = new double[clients];
            for (var c = 0; c < clients; c++) shares[c] = random.NextGamma(Alpha);
            var total = shares.Sum();
            double cumulative = 0;
            var begin = 0;
            for (var c = 0; c < clients; c++)
            {
                cumulative += shares[c];
                var end = c == clients - 1 ? members.Length : (int)Math.Round(cumulative / total * members.Length);
                end = Math.Clamp(end, begin, members.Length);
                parts[c].AddRange(members[begin..end]);
                begin = end;
            }
        }
        return Sorted(parts);
    }
}
