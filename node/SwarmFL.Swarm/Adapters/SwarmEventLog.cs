using SwarmFL.Chain.Contracts;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The contract's events read incrementally: each refresh asks only for blocks after the last one read. A block's logs
/// arrive whole, so once block B has been read nothing in it can be missed later, and nothing is read twice.
/// </summary>
public sealed class SwarmEventLog(SwarmCoordinator contract)
{
    private readonly List<SwarmEvent> _events = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ulong _nextBlock = contract.DeploymentBlock;

    /// <summary>The events up to the chain's latest block (asks the chain for it).</summary>
    public async Task<IReadOnlyList<SwarmEvent>> RefreshAsync(CancellationToken ct) =>
        await RefreshToAsync(await contract.Eth.BlockNumberAsync(ct), ct);

    /// <summary>
    /// The events up to block <paramref name="latest"/>; costs no request when that block has been read already. The
    /// read itself is the first thing this does, so inside a JSON-RPC batch scope it joins the batch.
    /// </summary>
    public async Task<IReadOnlyList<SwarmEvent>> RefreshToAsync(ulong latest, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
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
