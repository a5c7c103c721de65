using SwarmFL.Chain.Rpc;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Every change of the swarm's state is a transaction, so a new block is the moment to look again. The watcher asks
/// for the block number (one small RPC) every <c>interval</c> and wakes the loop when it moved; a failing poll does not
/// stop it (the loop's own step reports chain trouble), but it is remembered: whether the node follows the chain is
/// what the readiness check reads.
/// </summary>
public sealed class BlockWatcher(EthClient eth, WakeSignal wake, TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _lastSuccessTicks;
    private volatile string? _lastError;

    /// <summary>When the chain's head was last read (null: never).</summary>
    public DateTimeOffset? LastHeadRead => Interlocked.Read(ref _lastSuccessTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The latest block number read.</summary>
    public ulong? Head { get; private set; }

    /// <summary>Why the last poll failed, or null when it succeeded.</summary>
    public string? LastError => _lastError;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    var latest = await eth.BlockNumberAsync(ct);
                    if (Head is { } seen && latest != seen) wake.Set();
                    Head = latest;
                    Interlocked.Exchange(ref _lastSuccessTicks, _time.GetUtcNow().UtcTicks);
                    _lastError = null;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _lastError = e.Message;
                }
            }
        }
        catch (OperationCanceledException) { }
    }
}
