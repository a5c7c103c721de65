namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Waits for something real node processes do later (a listen address, a round, an event on chain). It fails at once,
/// with the nodes' logs, when one of them exits with an error, instead of waiting out the limit; the limit is a
/// generous cap for a loaded machine, never a performance bound.
/// </summary>
public static class NodeWait
{
    public static async Task<T?> ForAsync<T>(IEnumerable<NodeProcess> nodes, Func<Task<T?>> probe, string what, TimeSpan limit, Func<string> logs,
        TimeSpan? poll = null, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await probe() is { } found) return found;
            if (nodes.FirstOrDefault(n => n.HasFailed) is { } failed)
                throw new InvalidOperationException($"waiting for {what}: {failed.Name} exited with {failed.ExitCode}\n{logs()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {limit} for {what}\n{logs()}");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(250), ct);
        }
    }

    public static async Task<string> ForAsync(IEnumerable<NodeProcess> nodes, Func<string?> probe, string what, TimeSpan limit, Func<string> logs) =>
        (await ForAsync(nodes, () => Task.FromResult(probe()), what, limit, logs))!;

    /// <summary>
    /// Until every node has exited, each with 0; polled, so a member that fails early ends the wait at once instead of
    /// after the others' cap.
    /// </summary>
    public static async Task UntilAllExitedAsync(IReadOnlyCollection<NodeProcess> nodes, string what, TimeSpan limit, Func<string> logs)
    {
        await ForAsync(nodes, () => nodes.Any(n => n.IsRunning) ? null : "", $"the members to stop after {what}", limit, logs);
        if (nodes.FirstOrDefault(n => n.ExitCode != 0) is { } bad) throw new InvalidOperationException($"{bad.Name} exited with {bad.ExitCode}\n{logs()}");
    }
}
