using Serilog;
using SwarmFL.Chain.Rpc;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Every change of the swarm's state is a transaction, so a new block is the moment to look again. The watcher keeps
/// <see cref="ChainHead"/> current: it subscribes to new heads over WebSocket where the chain offers it (Hardhat and
/// anvil do, on the RPC port), and otherwise polls the block number on a <see cref="BlockPollSchedule"/>. A dropped
/// subscription falls back to polling and is tried again later, and so does one that goes silent while blocks are still
/// mined: while subscribed, the block number is also read every <see cref="SubscriptionCheckInterval"/> (a Hardhat node
/// serving 32 nodes on 2 cores stopped notifying some of them, which then waited for an old block for minutes). A
/// failing poll does not stop it (the loop's own step
/// reports chain trouble), but it is remembered: whether the node follows the chain is what the readiness check reads.
/// </summary>
public sealed class BlockWatcher(EthClient eth, ChainHead head, BlockPollSchedule schedule, ILogger? logger = null)
{
    private readonly ILogger _log = (logger ?? Log.Logger).ForContext<BlockWatcher>();
    private long _lastSuccessTicks;
    private volatile string? _lastError;
    private volatile bool _subscribed;
    private long _lags;

    /// <summary>Whether to try a new-heads subscription at all.</summary>
    public bool UseSubscription { get; init; } = true;

    /// <summary>While subscribed, how often the block number is read as well, to catch a subscription that went silent.</summary>
    public TimeSpan SubscriptionCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Times a check found the subscription behind the chain.</summary>
    public long SubscriptionLags => Interlocked.Read(ref _lags);

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
                        using var silent = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        var checking = CheckSubscriptionAsync(silent);
                        try
                        {
                            await foreach (var block in subscription.ReadAsync(silent.Token)) head.Advance(block.Number);
                        }
                        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { } // went silent: poll, then renew
                        finally
                        {
                            _subscribed = false;
                            await silent.CancelAsync();
                            await checking;
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

    /// <summary>
    /// Reads the block number now and then while subscribed. A newer block than the subscription reported is taken at
    /// once; the second such check in a row ends the subscription (through <paramref name="silent"/>), so that the
    /// watcher polls and subscribes again.
    /// </summary>
    private async Task CheckSubscriptionAsync(CancellationTokenSource silent)
    {
        var behind = 0;
        try
        {
            while (!silent.IsCancellationRequested)
            {
                await Task.Delay(SubscriptionCheckInterval, Clock, silent.Token);
                ulong latest;
                try { latest = await eth.BlockNumberAsync(silent.Token); }
                catch (Exception e) when (e is not OperationCanceledException) { continue; }
                if (!head.Advance(latest))
                {
                    behind = 0;
                    continue;
                }
                Interlocked.Increment(ref _lags);
                if (++behind < 2) continue;
                _log.Information("The new-heads subscription at {Endpoint} went silent (block {Block} came without it); polling until it is renewed", eth.Endpoint, latest);
                await silent.CancelAsync();
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
