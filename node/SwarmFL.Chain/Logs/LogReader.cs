using System.Runtime.CompilerServices;
using Serilog;
using SwarmFL.Chain.Rpc;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Logs;

/// <summary>
/// Reads a contract's logs over block ranges and follows new ones by polling. Ranges are split into chunks, and a
/// chunk the node refuses (too many results) is halved; transport hiccups while following are waited out.
/// Hardhat devnets do not reorganise, so followers do not handle removed logs beyond skipping them.
/// </summary>
public sealed class LogReader(EthClient eth, ILogger? logger = null)
{
    private readonly ILogger _log = (logger ?? Log.Logger).ForContext<LogReader>();

    public ulong ChunkSize { get; init; } = 2_000;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(EthereumAddress contract, IReadOnlyList<byte[]> topic0,
        ulong fromBlock, ulong toBlock, CancellationToken ct = default, byte[]? topic1 = null)
    {
        var logs = new List<LogEntry>();
        var chunk = ChunkSize;
        for (var start = fromBlock; start <= toBlock;)
        {
            var end = Math.Min(toBlock, start + chunk - 1);
            try
            {
                logs.AddRange((await eth.GetLogsAsync(new LogFilter(contract, topic0, start, end, topic1), ct)).Where(l => !l.Removed));
                start = end + 1;
            }
            catch (JsonRpcErrorException e) when (chunk > 1)
            {
                chunk = Math.Max(1, chunk / 2);
                _log.Debug("eth_getLogs {From}-{To} refused ({Message}); retrying in chunks of {Chunk}", start, end, e.RpcMessage, chunk);
            }
            if (end == ulong.MaxValue) break;
        }
        return logs;
    }

    /// <summary>
    /// Every log from <paramref name="fromBlock"/> on, then new ones as blocks arrive, until cancelled. Progress is
    /// kept chunk by chunk, so a flaky endpoint delays the stream but never repeats or skips a log.
    /// </summary>
    public async IAsyncEnumerable<LogEntry> FollowAsync(EthereumAddress contract, IReadOnlyList<byte[]> topic0, ulong fromBlock,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var next = fromBlock;
        while (!ct.IsCancellationRequested)
        {
            var head = await TryAsync(async () => (ulong?)await eth.BlockNumberAsync(ct), contract);
            while (head is { } last && next <= last)
            {
                var from = next;
                var end = Math.Min(last, from + ChunkSize - 1);
                var batch = await TryAsync<IReadOnlyList<LogEntry>>(async () => await GetLogsAsync(contract, topic0, from, end, ct), contract);
                if (batch is null) break;
                foreach (var log in batch) yield return log;
                next = end + 1;
            }
            try
            {
                await Task.Delay(PollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private async Task<T?> TryAsync<T>(Func<Task<T?>> call, EthereumAddress contract)
    {
        try
        {
            return await call();
        }
        catch (ChainRpcException e)
        {
            _log.Warning("Following logs of {Contract}: {Error}; retrying", contract.ToString(), e.Message);
            return default;
        }
    }
}
