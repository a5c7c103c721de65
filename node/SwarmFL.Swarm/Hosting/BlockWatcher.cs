using SwarmFL.Chain.Rpc;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Every change of the swarm's state is a transaction, so a new block is the moment to look again. The watcher asks
/// for the block number (one small RPC) every <c>interval</c> and wakes the loop when it moved; a failing poll is
/// ignored (the loop's own step reports chain trouble).
/// </summary>
public sealed class BlockWatcher(EthClient eth, WakeSignal wake, TimeSpan interval)
{
    public async Task RunAsync(CancellationToken ct)
    {
        ulong? seen = null;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    var latest = await eth.BlockNumberAsync(ct);
                    if (seen is not null && latest != seen) wake.Set();
                    seen = latest;
                }
                catch (Exception e) when (e is not OperationCanceledException) { }
            }
        }
        catch (OperationCanceledException) { }
    }
}
