using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Network;

/// <summary>
/// How long one holder may take to deliver a model: a fixed allowance for connecting plus the model's size at a minimum
/// rate. A holder that trickles bytes slower than that, or never answers, is abandoned at its deadline.
/// </summary>
/// <param name="MaxBytes">The most a fetch reads: the swarm model's exact file size (a larger answer is refused unread).</param>
public sealed record FetchLimits(long MaxBytes, double MinimumBytesPerSecond, TimeSpan Allowance)
{
    public const double DefaultMinimumBytesPerSecond = 256 * 1024;
    public static readonly TimeSpan DefaultAllowance = TimeSpan.FromSeconds(10);

    public TimeSpan Deadline => Allowance + TimeSpan.FromSeconds(MaxBytes / MinimumBytesPerSecond);

    public static FetchLimits For(long modelFileBytes) => new(modelFileBytes, DefaultMinimumBytesPerSecond, DefaultAllowance);
}

/// <summary>
/// Tries the holders of a model one after the other, each under the deadline of <see cref="FetchLimits"/>, and returns
/// the first answer that matches the content id; fails with <see cref="ModelUnavailableException"/> naming why each
/// holder failed. So a slow or silent holder costs at most one deadline, never the round.
/// </summary>
public static class HolderFetch
{
    public static async Task<byte[]> FirstAsync<THolder>(ContentId id, IEnumerable<THolder> holders, FetchLimits limits,
        Func<THolder, long, CancellationToken, Task<byte[]>> fetch, TimeProvider clock, CancellationToken ct)
        where THolder : notnull
    {
        var failures = new List<string>();
        foreach (var holder in holders.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            using var deadline = new CancellationTokenSource(limits.Deadline, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            try
            {
                var bytes = await fetch(holder, limits.MaxBytes, linked.Token).ConfigureAwait(false);
                if (bytes.LongLength > limits.MaxBytes) failures.Add($"{holder}: sent {bytes.LongLength} bytes, more than the model's {limits.MaxBytes}");
                else if (!id.Matches(bytes)) failures.Add($"{holder}: sent bytes that do not match the id");
                else return bytes;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failures.Add($"{holder}: no complete answer within {limits.Deadline.TotalSeconds:F0} s");
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or InvalidDataException or FormatException)
            {
                failures.Add($"{holder}: {e.Message}");
            }
        }
        throw new ModelUnavailableException(id, failures.Count == 0 ? "no holder is known" : string.Join("; ", failures));
    }
}
