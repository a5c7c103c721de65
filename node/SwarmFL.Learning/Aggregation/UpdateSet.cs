using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// The validated inputs of a merge in canonical order (content id bytes, then sample count), so that every node
/// sums in the same order whatever order the updates arrived in, and gets the same bytes.
/// </summary>
public sealed class UpdateSet
{
    public TensorLayout Layout { get; }
    public IReadOnlyList<ModelUpdate> Updates { get; }
    public int Count => Updates.Count;

    public UpdateSet(TensorLayout layout, IEnumerable<ModelUpdate> updates)
    {
        var list = updates.ToList();
        if (list.Count == 0) throw new AggregationException("nothing to merge: the input set is empty");
        foreach (var u in list)
            if (u.Samples <= 0) throw new AggregationException($"{u.Describe}: sample count must be positive, got {u.Samples}");
        list.Sort((a, b) =>
        {
            var c = a.Id.Digest.SequenceCompareTo(b.Id.Digest);
            return c != 0 ? c : a.Samples.CompareTo(b.Samples);
        });
        Layout = layout;
        Updates = list;
    }

    public long TotalSamples => Updates.Sum(u => u.Samples);

    /// <summary>Reads tensor <paramref name="index"/> of every update, in canonical order, each checked as by <see cref="ReadOne"/>.</summary>
    public float[][] ReadColumn(int index)
    {
        var column = new float[Updates.Count][];
        for (var u = 0; u < column.Length; u++) column[u] = ReadOne(u, index);
        return column;
    }

    /// <summary>
    /// Reads tensor <paramref name="index"/> of one update, refusing unreadable files, wrong lengths and non-finite
    /// values with a message that names the update and tensor.
    /// </summary>
    public float[] ReadOne(int update, int index)
    {
        var values = ReadSized(update, index);
        if (!Kernels.AllFinite(values)) throw NonFinite(update, index, values);
        return values;
    }

    /// <summary>
    /// <see cref="ReadOne"/> without the scan for NaN and ±∞: for kernels that detect non-finite inputs from their own
    /// results and then call <see cref="NonFiniteInput"/>.
    /// </summary>
    internal float[] ReadSized(int update, int index)
    {
        var spec = Layout.Tensors[index];
        var source = Updates[update];
        float[] values;
        try { values = source.ReadTensor(index); }
        catch (ModelFileException e) { throw new AggregationException($"{source.Describe}: {e.Message}", e); }
        if (values.LongLength != spec.ElementCount)
            throw new AggregationException($"{source.Describe}: tensor {spec.Name} has {values.Length} values, the model needs {spec.ElementCount} {spec.ShapeText}");
        return values;
    }

    /// <summary>
    /// The refusal for a kernel that found a non-finite result in tensor <paramref name="index"/>: rescans the inputs in
    /// canonical order and names the first non-finite value, exactly as <see cref="ReadOne"/> would have.
    /// </summary>
    internal AggregationException NonFiniteInput(IEnumerable<int> updates, int index)
    {
        foreach (var u in updates)
        {
            var values = ReadSized(u, index);
            if (!Kernels.AllFinite(values)) return NonFinite(u, index, values);
        }
        // Unreachable for finite inputs and positive weights (see Kernels.WeightedMean); refused all the same.
        return new AggregationException($"tensor {Layout.Tensors[index].Name}: the merge produced a non-finite value from finite inputs");
    }

    private AggregationException NonFinite(int update, int index, float[] values)
    {
        var i = Array.FindIndex(values, x => !float.IsFinite(x));
        return new AggregationException($"{Updates[update].Describe}: tensor {Layout.Tensors[index].Name} holds a non-finite value ({values[i]}) at element {i}");
    }

    /// <summary>Pairwise squared Euclidean distances over all tensors, streamed one tensor at a time, summed in double.</summary>
    /// <param name="threads">Cores to use (0: all); each pair's distance within a tensor is one fixed computation and the
    /// per-tensor distances are added in tensor order, so the result does not depend on it.</param>
    public double[,] PairwiseSquaredDistances(CancellationToken ct, int threads = 1)
    {
        var n = Count;
        var d = new double[n, n];
        var pairs = (from i in Enumerable.Range(0, n) from j in Enumerable.Range(i + 1, n - i - 1) select (i, j)).ToArray();
        var tensor = new double[pairs.Length];
        for (var t = 0; t < Layout.Tensors.Count; t++)
        {
            ct.ThrowIfCancellationRequested();
            var column = ReadColumn(t);
            BlockParallel.Each(pairs.Length, column[0].Length, threads, ct,
                p => tensor[p] = SquaredDistance(column[pairs[p].i], column[pairs[p].j]));
            for (var p = 0; p < pairs.Length; p++)
            {
                var (i, j) = pairs[p];
                d[i, j] += tensor[p];
                d[j, i] += tensor[p];
            }
        }
        return d;
    }

    /// <summary>Squared distances of every update from a reference model, streamed.</summary>
    /// <param name="threads">Cores to use (0: all); the result does not depend on it.</param>
    public double[] SquaredDistancesFrom(ModelWeights reference, CancellationToken ct, int threads = 1)
    {
        var result = new double[Count];
        for (var t = 0; t < Layout.Tensors.Count; t++)
        {
            ct.ThrowIfCancellationRequested();
            AddSquaredDistances(ReadColumn(t), reference.Values[t], result, threads, ct);
        }
        return result;
    }

    /// <summary>
    /// sums[u] += ‖column[u] − reference‖² for every update u: the distances of a large tensor on several cores, each
    /// one fixed computation, added to the sums in update order so the result does not depend on the thread count.
    /// </summary>
    internal static void AddSquaredDistances(float[][] column, float[] reference, double[] sums, int threads, CancellationToken ct)
    {
        var distances = new double[column.Length];
        BlockParallel.Each(column.Length, reference.Length, threads, ct, u => distances[u] = SquaredDistance(column[u], reference));
        for (var u = 0; u < column.Length; u++) sums[u] += distances[u];
    }

    public static double SquaredDistance(float[] a, float[] b) => Kernels.SquaredDistance(a, b);
}
