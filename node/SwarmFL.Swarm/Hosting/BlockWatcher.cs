using Serilog;
using SwarmFL.Chain.Rpc;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Every change of the swarm's state is a transaction, so a new block is the moment to look again. The watcher keeps
/// <see cref="ChainHead"/> current: it subscribes to new heads over WebSocket where the chain offers it (Hardhat and
/// anvil do, on the RPC port), and otherwise polls the block number on a <see cref="BlockPollSchedule"/>. A dropped
/// subscription falls back to polling and is tried again later. A failing poll does not stop it (the loop's own step
/// reports chain trouble), but it is remembered: whether the node follows the chain is what the readiness check reads.
/// </summary>
public sealed class BlockWatcher(EthClient eth, ChainHead head, BlockPollSchedule schedule, ILogger? logger = null)
{
    private readonly ILogger _log = (logger ?? Log.Logger).ForContext<BlockWatcher>();
    private long _lastSuccessTicks;
    private volatile string? _lastError;
    private volatile bool _subscribed;

    /// <summary>Whether to try a new-heads subscription at all.</summary>
    public bool UseSubscription { get; init; } = true;

    /// <summary>How long to poll before trying to subscribe again after the subscription failed or dropped.</summary>
    public TimeSpan ResubscribeAfter { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// When the chain was last heard from (null: never). While the new-heads subscription is open the node is following
    /// the chain even when no block comes (an automining devnet mines only on transactions), so that counts as now.
    /// </summary>
    public DateTimeOffset? LastHeadRead => _subscribed
        ? Clock.GetUtcNow()
        : Interlocked.Read(ref _lastSuccessTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The latest block number seen.</summary>
    public ulong? Head => head.Number;

    /// <summary>Why the last poll failed, or null when it succeeded.</summary>
    public string? LastError => _lastError;

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
                        Succeeded();
                        _subscribed = true;
                        try
                        {
                            await foreach (var block in subscription.ReadAsync(ct)) head.Advance(block.Number);
                        }
                        finally
                        {
                            _subscribed = false;
                            Succeeded();
                        }
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
                Succeeded();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _lastError = e.Message;
            }
            await Task.Delay(schedule.Next(newBlock, Clock.GetUtcNow()), Clock, ct);
        }
    }

    private void Succeeded()
    {
        Interlocked.Exchange(ref _lastSuccessTicks, Clock.GetUtcNow().UtcTicks);
        _lastError = null;
    }
}
