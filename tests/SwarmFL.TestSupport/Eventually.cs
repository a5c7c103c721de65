namespace SwarmFL.TestSupport;

/// <summary>
/// Waits for something a real process does later. The limit is a generous cap for a loaded machine, never a
/// performance bound; on timeout the failure carries the caller's description of what was seen, so a CI log says why.
/// </summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan limit, Func<T?, string> describe,
        TimeSpan? poll = null, Func<bool>? gaveUp = null)
    {
        var deadline = DateTime.UtcNow + limit;
        T? last = default;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline && gaveUp?.Invoke() != true)
        {
            try
            {
                last = await read();
                lastError = null;
                if (done(last)) return last;
            }
            catch (Exception e)
            {
                // A process that is still starting refuses connections or answers half-written files: try again.
                lastError = e;
            }
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(250));
        }
        var why = gaveUp?.Invoke() == true ? "gave up (the process it waited for has exited)" : $"not done after {limit.TotalSeconds:0} s";
        throw new TimeoutException($"{why}: {describe(last)}{(lastError is null ? "" : $"\nlast error: {lastError.Message}")}");
    }

    public static Task WaitAsync(Func<bool> done, TimeSpan limit, Func<string> describe, TimeSpan? poll = null, Func<bool>? gaveUp = null) =>
        WaitAsync(() => Task.FromResult(done()), d => d, limit, _ => describe(), poll, gaveUp);
}
