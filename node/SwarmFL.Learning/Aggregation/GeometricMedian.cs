using SwarmFL.Learning.ModelFiles;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// Sample-weighted geometric median by Weiszfeld's algorithm (as in RFA, Pillutla et al. 2022): start at the
/// weighted mean z₀, then repeat zₖ₊₁ = Σ (αᵢ/dᵢ)·xᵢ / Σ (αᵢ/dᵢ) with dᵢ = max(‖xᵢ − zₖ‖, ε), until the step is at most
/// <see cref="Tolerance"/> × ‖zₖ‖ or <see cref="MaxIterations"/> is reached.
/// </summary>
/// <remarks>
/// One streaming pass per iteration: while zₖ₊₁ is built tensor by tensor, the distances of every update to it are
/// accumulated for the next step, so only zₖ, zₖ₊₁ and one tensor column are in memory.
/// </remarks>
public sealed class GeometricMedian : IAggregationStrategy
{
    public int MaxIterations { get; }
    public double Tolerance { get; }
    public double Epsilon { get; }

    /// <summary>Iterations the last <see cref="Aggregate"/> call ran (for logs and benchmarks).</summary>
    public int LastIterations { get; private set; }

    public GeometricMedian(int maxIterations = 100, double tolerance = 1e-6, double epsilon = 1e-8)
    {
        if (maxIterations < 1) throw new ArgumentException("geometric median needs at least one iteration");
        if (!(tolerance > 0) || !(epsilon > 0)) throw new ArgumentException("tolerance and epsilon must be positive");
        MaxIterations = maxIterations;
        Tolerance = tolerance;
        Epsilon = epsilon;
    }

    public string Name => Tolerance == 1e-6 && Epsilon == 1e-8
        ? $"geometric-median:{MaxIterations}"
        : $"geometric-median:{MaxIterations}:{Tolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Cores a merge may use: 0 (the default) means all of them, 1 the calling thread only. The bytes do not depend on it.</summary>
    public int Threads { get; init; }

    public ModelWeights Aggregate(UpdateSet updates, CancellationToken ct = default)
    {
        var z = FedAvg.WeightedMean(updates, Enumerable.Range(0, updates.Count).ToArray(), Threads, ct);
        var distances = updates.SquaredDistancesFrom(z, ct, Threads).Select(Math.Sqrt).ToArray();
        LastIterations = 0;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            if (distances.All(d => d <= Epsilon)) break; // every update already sits at z
            var coefficients = new double[updates.Count];
            for (var u = 0; u < coefficients.Length; u++)
                coefficients[u] = updates.Updates[u].Samples / Math.Max(distances[u], Epsilon);
            var total = coefficients.Sum();

            var next = new float[updates.Layout.Tensors.Count][];
            var nextDistances = new double[updates.Count];
            double step = 0, norm = 0;
            for (var t = 0; t < next.Length; t++)
            {
                ct.ThrowIfCancellationRequested();
                var column = updates.ReadColumn(t);
                // The inputs were checked by ReadColumn and the coefficients are positive, so the sums are finite.
                _ = FedAvg.TensorMean(column, coefficients, total, Threads, ct, out var result);
                var previous = z.Values[t];
                for (var i = 0; i < result.Length; i++)
                {
                    var d = (double)result[i] - previous[i];
                    step += d * d;
                    norm += (double)previous[i] * previous[i];
                }
                UpdateSet.AddSquaredDistances(column, result, nextDistances, Threads, ct);
                next[t] = result;
            }
            z = new ModelWeights(updates.Layout, next);
            distances = nextDistances.Select(Math.Sqrt).ToArray();
            LastIterations = iteration + 1;
            if (Math.Sqrt(step) <= Tolerance * Math.Sqrt(norm)) break;
        }
        return IntegerBufferRule.Apply(updates, z);
    }
}
