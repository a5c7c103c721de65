using Serilog;
using SwarmFL.Chain.Rpc;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Every change of the swarm's state is a transaction, so a new block is the moment to look again. The watcher keeps
/// <see cref="ChainHead"/> current: it subscribes to new heads over WebSocket where the chain offers it (Hardhat and
/// anvil do, on the RPC port), and otherwise polls the block number on a <see cref="BlockPollSchedule"/>. A dropped
/// subscription falls back to polling and is tried again later. Failures are not reported from here: the loop's own
/// step reports chain trouble.
/// </summary>
public sealed class BlockWatcher(EthClient eth, ChainHead head, BlockPollSchedule schedule, ILogger? logger = null)
{
    private readonly ILogger _log = (logger ?? Log.Logger).ForContext<BlockWatcher>();

    /// <summary>Whether to try a new-heads subscription at all.</summary>
    public bool UseSubscription { get; init; } = true;

    /// <summary>How long to poll before trying to subscribe again after the subscription failed or dropped.</summary>
    public TimeSpan ResubscribeAfter { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        var toldWhyNot = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (UseSubscription)
                {
                    await using var subscription = await NewHeadsSubscription.TryOpenAsync(eth.Endpoint, eth.Traffic, reason =>
                    {
                        if (!toldWhyNot) _log.Information("Polling the chain for blocks: {Reason}", reason);
                        toldWhyNot = true;
                    }, ct: ct);
                    if (subscription is not null)
                    {
                        _log.Information("Following new blocks over {Endpoint}", subscription.Endpoint);
                        await foreach (var block in subscription.ReadAsync(ct)) head.Advance(block.Number);
                        if (ct.IsCancellationRequested) return;
                        _log.Information("The new-heads subscription at {Endpoint} ended; polling until it can be renewed", subscription.Endpoint);
                    }
                }
                await PollAsync(UseSubscription ? Clock.GetUtcNow() + ResubscribeAfter : DateTimeOffset.MaxValue, ct);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task PollAsync(DateTimeOffset until, CancellationToken ct)
    {
        while (Clock.GetUtcNow() < until)
        {
            var newBlock = false;
            try
            {
                newBlock = head.Advance(await eth.BlockNumberAsync(ct));
            }
            catch (Exception e) when (e is not OperationCanceledException) { }
            await Task.Delay(schedule.Next(newBlock, Clock.GetUtcNow()), Clock, ct);
        }
    }
}
