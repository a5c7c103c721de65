namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// Runs an element-wise merge kernel over a tensor in fixed blocks, on several cores when the tensor is large.
/// </summary>
/// <remarks>
/// Deterministic whatever the thread count or scheduling: each output element is computed by one fixed sequence of
/// operations that depends only on the inputs at that coordinate, never on which block or thread it falls in.
/// </remarks>
internal static class BlockParallel
{
    /// <summary>Elements per block: 64 KiB of float output and, for ten inputs, 640 KiB of input — big enough that
    /// scheduling a block costs little next to its work, small enough that a 1.6 M-element tensor splits ~100 ways.</summary>
    public const int BlockSize = 16 * 1024;

    /// <summary>Calls <paramref name="block"/>(begin, length) for every block of [0, <paramref name="length"/>); true when every call returned true.</summary>
    /// <param name="threads">At most this many threads; 0 means every core, 1 runs the blocks in order on the caller's thread.</param>
    public static bool All(int length, int threads, CancellationToken ct, Func<int, int, bool> block)
    {
        var blocks = (length + BlockSize - 1) / BlockSize;
        if (blocks <= 1 || threads == 1 || Environment.ProcessorCount == 1)
        {
            var all = true;
            for (var b = 0; b < blocks; b++)
            {
                ct.ThrowIfCancellationRequested();
                all &= Run(block, b, length);
            }
            return all;
        }
        var failed = 0;
        Parallel.For(0, blocks, Options(threads, ct), b =>
        {
            if (!Run(block, b, length)) Volatile.Write(ref failed, 1);
        });
        return failed == 0;
    }

    /// <summary>
    /// Calls <paramref name="body"/>(i) for every i in [0, <paramref name="count"/>): on several cores when each call
    /// works on a tensor of at least one block (<paramref name="elementsEach"/>), otherwise in order on the caller's thread.
    /// </summary>
    /// <param name="threads">At most this many threads; 0 means every core, 1 runs the calls in order on the caller's thread.</param>
    public static void Each(int count, int elementsEach, int threads, CancellationToken ct, Action<int> body)
    {
        if (threads == 1 || elementsEach < BlockSize)
        {
            for (var i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, Options(threads, ct), body);
    }

    private static ParallelOptions Options(int threads, CancellationToken ct) =>
        new() { MaxDegreeOfParallelism = threads > 0 ? threads : -1, CancellationToken = ct };

    private static bool Run(Func<int, int, bool> block, int index, int length)
    {
        var begin = index * BlockSize;
        return block(begin, Math.Min(BlockSize, length - begin));
    }
}
