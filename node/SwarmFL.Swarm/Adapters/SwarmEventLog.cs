using Serilog;
using SwarmFL.Chain.Contracts;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The contract's events read incrementally, safe against reorgs. Events more than <c>confirmations</c> blocks deep
/// are final: read once and kept. The younger tail is read again on every refresh, so a reorg inside it simply
/// changes what the next refresh returns. A reorg deeper than that (the last final block's hash changed) is noticed
/// too: the log walks back to the fork and reads from there, and says so in the log. At depth 0 (a devnet) the head
/// is final and nothing is read twice: a refresh at a block already read costs no request.
/// </summary>
/// <remarks>
/// On a devnet 0 is right (no reorgs but the ones a test makes); on a public chain use the depth the chain documents
/// for finality in practice (e.g. a few blocks on an L2, 12 or more on Ethereum mainnet without finalized tags).
/// </remarks>
public sealed class SwarmEventLog(SwarmCoordinator contract, ulong confirmations = 0, ILogger? logger = null)
{
    /// <summary>How far back a deep reorg is followed before the log gives up and reads everything again.</summary>
    private const ulong MaxReorgWalk = 256;

    private readonly List<SwarmEvent> _final = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _log = (logger ?? Log.Logger).ForContext<SwarmEventLog>();
    private readonly Dictionary<ulong, byte[]> _finalHashes = []; // the newest final blocks' hashes, for finding a fork
    private ulong _nextFinal = contract.DeploymentBlock;

    public ulong Confirmations => confirmations;

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
            // At depth 0 (a devnet) the head counts as final: no block-hash reads, so a step's reads stay one batch.
            if (confirmations > 0) await RollBackOnReorgAsync(ct);
            if (latest >= confirmations && latest - confirmations >= _nextFinal)
            {
                var finalUpTo = latest - confirmations;
                _final.AddRange(await contract.GetEventsAsync(_nextFinal, finalUpTo, ct));
                _nextFinal = finalUpTo + 1;
                if (confirmations > 0) await RememberHashAsync(finalUpTo, null, ct);
            }
            if (confirmations == 0) return _final.ToList();
            var tailFrom = Math.Max(_nextFinal, contract.DeploymentBlock);
            if (latest < tailFrom) return _final.ToList();
            var tail = await contract.GetEventsAsync(tailFrom, latest, ct);
            return [.. _final, .. tail];
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RememberHashAsync(ulong block, byte[]? knownHash, CancellationToken ct)
    {
        if (knownHash is not null) _finalHashes[block] = knownHash;
        else if (await contract.Eth.GetBlockByNumberAsync(block, ct) is { } header) _finalHashes[block] = header.Hash;
        foreach (var old in _finalHashes.Keys.Where(b => b + MaxReorgWalk < block).ToList()) _finalHashes.Remove(old);
    }

    /// <summary>If the newest final block is no longer on the chain, drops everything from the fork on.</summary>
    private async Task RollBackOnReorgAsync(CancellationToken ct)
    {
        if (_nextFinal == contract.DeploymentBlock || !_finalHashes.TryGetValue(_nextFinal - 1, out var known)) return;
        if (await SameAsync(_nextFinal - 1, known, ct)) return;
        var fork = _finalHashes.Keys.Where(b => b < _nextFinal - 1).OrderDescending().ToList();
        ulong keepUpTo = contract.DeploymentBlock; // exclusive: blocks below it stay final
        foreach (var block in fork)
            if (await SameAsync(block, _finalHashes[block], ct)) { keepUpTo = block + 1; break; }
        _log.Warning("The chain reorganised below the confirmation depth of {Confirmations} blocks: block {Block} changed; " +
                     "re-reading events from block {From} (raise the confirmation depth for this chain)", confirmations, _nextFinal - 1, keepUpTo);
        _final.RemoveAll(e => e.Log.BlockNumber >= keepUpTo);
        foreach (var block in _finalHashes.Keys.Where(b => b >= keepUpTo).ToList()) _finalHashes.Remove(block);
        _nextFinal = keepUpTo;
    }

    private async Task<bool> SameAsync(ulong block, byte[] hash, CancellationToken ct) =>
        await contract.Eth.GetBlockByNumberAsync(block, ct) is { } header && header.Hash.AsSpan().SequenceEqual(hash);
}
