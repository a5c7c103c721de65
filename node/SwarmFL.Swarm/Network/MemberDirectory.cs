using System.Collections.Immutable;
using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.P2P.Membership;
using SwarmFL.P2P.Multiaddrs;

namespace SwarmFL.Swarm.Network;

/// <summary>
/// The swarm's member set, kept from the contract's MemberRegistered and MemberLeft events, read incrementally on a
/// timer. <see cref="IsMember"/> is a set lookup: asking about an outsider never costs a chain call, however often it is
/// asked (a negative answer is simply the absence from the set). A registration shows up within one refresh interval.
/// Keys the operator allows as auditors count as members without being registered.
/// </summary>
public sealed class MemberDirectory : IPeerMembership, IAsyncDisposable
{
    private readonly SwarmCoordinator _contract;
    private readonly Serilog.ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    // The members by account, and the set IsMember looks up (derived from it, plus the auditors): replaced together.
    private ImmutableDictionary<EthereumAddress, PeerId> _peers = ImmutableDictionary<EthereumAddress, PeerId>.Empty;
    private ImmutableDictionary<PeerId, Multiaddr> _addresses = ImmutableDictionary<PeerId, Multiaddr>.Empty;
    private ImmutableHashSet<PeerId> _members;
    private ulong _nextBlock;
    private Task? _refreshing;

    public MemberDirectory(SwarmCoordinator contract, IEnumerable<PeerId> auditors, Serilog.ILogger log)
    {
        _contract = contract;
        _log = log.ForContext<MemberDirectory>();
        Auditors = auditors.ToImmutableHashSet();
        _members = Auditors;
        _nextBlock = contract.DeploymentBlock;
    }

    public ImmutableHashSet<PeerId> Auditors { get; }
    public int Count => Volatile.Read(ref _members).Count - Auditors.Count;
    /// <summary>Chain reads the directory made (eth_blockNumber and eth_getLogs per refresh; never an eth_call).</summary>
    public long Refreshes { get; private set; }

    public bool IsMember(PeerId peer) => Volatile.Read(ref _members).Contains(peer);

    /// <summary>The PeerId a registered member's account announced, once the directory has read its registration.</summary>
    public PeerId? PeerOf(EthereumAddress account) => Volatile.Read(ref _peers).TryGetValue(account, out var peer) ? peer : null;

    /// <summary>
    /// The address a member registered on chain (without its /p2p/ part): where to dial a member this node has not met
    /// yet. Null for an address that does not parse or names another peer. Only a hint: a dial still has to prove the
    /// peer's identity.
    /// </summary>
    public Multiaddr? RegisteredAddress(PeerId peer) => Volatile.Read(ref _addresses).TryGetValue(peer, out var address) ? address : null;

    /// <summary>Reads the events since the last refresh and applies them.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var latest = await _contract.Eth.BlockNumberAsync(ct).ConfigureAwait(false);
            if (latest < _nextBlock) return;
            var events = await _contract.GetEventsAsync(_nextBlock, latest, ct).ConfigureAwait(false);
            _nextBlock = latest + 1;
            Refreshes++;
            var byAccount = _peers.ToBuilder();
            var addresses = _addresses.ToBuilder();
            foreach (var e in events)
            {
                switch (e)
                {
                    case MemberRegistered registered when TryPeer(registered) is { } peer:
                        byAccount[registered.Member] = peer;
                        if (Multiaddr.TryParse(registered.Multiaddr, out var address, out _) && (address.PeerId is null || address.PeerId == peer))
                            addresses[peer] = address.WithoutPeerId();
                        break;
                    case MemberLeft left:
                        if (byAccount.TryGetValue(left.Member, out var gone)) addresses.Remove(gone);
                        byAccount.Remove(left.Member);
                        break;
                }
            }
            Volatile.Write(ref _addresses, addresses.ToImmutable());
            var peers = byAccount.ToImmutable(); // the same instance when nothing changed
            if (!ReferenceEquals(peers, _peers))
            {
                Volatile.Write(ref _peers, peers);
                Volatile.Write(ref _members, Auditors.Union(peers.Values));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Refreshes now, then every <paramref name="interval"/> until disposed; a failed refresh is retried at the next tick.</summary>
    public async Task StartAsync(TimeSpan interval, CancellationToken ct)
    {
        await RefreshAsync(ct).ConfigureAwait(false);
        _refreshing = RefreshPeriodicallyAsync(interval, _stopping.Token);
    }

    private async Task RefreshPeriodicallyAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try { await RefreshAsync(ct).ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.Debug("Member directory refresh failed: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The registered PeerId, if it is well formed and its key is the registering account's (the contract checks this too).</summary>
    private PeerId? TryPeer(MemberRegistered registered)
    {
        try
        {
            var peer = PeerId.FromBytes(registered.PeerIdBytes);
            if (peer.TryGetEthereumAddress() == registered.Member) return peer;
        }
        catch (Exception e) when (e is FormatException or ArgumentException) { }
        _log.Warning("Member {Account} registered a PeerId that is not its key; it is not counted as a member", registered.Member);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refreshing is not null) await _refreshing.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
