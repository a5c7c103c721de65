using SwarmFL.Chain.Contracts;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The contract's events read incrementally: each refresh asks only for blocks after the last one read. A block's logs
/// arrive whole, so once block B has been read nothing in it can be missed later.
/// </summary>
public sealed class SwarmEventLog(SwarmCoordinator contract)
{
    private readonly List<SwarmEvent> _events = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ulong _nextBlock = contract.DeploymentBlock;

    public async Task<IReadOnlyList<SwarmEvent>> RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var latest = await contract.Eth.BlockNumberAsync(ct);
            if (latest >= _nextBlock)
            {
                _events.AddRange(await contract.GetEventsAsync(_nextBlock, latest, ct));
                _nextBlock = latest + 1;
            }
            return _events.ToList();
        }
        finally
        {
            _gate.Release();
        }
    }
}
