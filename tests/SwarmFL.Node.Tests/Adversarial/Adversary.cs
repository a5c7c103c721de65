using SwarmFL.Chain.Contracts;
using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Transactions;
using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.Models;

namespace SwarmFL.Node.Tests.Adversarial;

/// <summary>What an adversary sees of a round it plays: the round, its cluster, the honest nodes to reach, the swarm's model.</summary>
public sealed record AdversaryRound(ulong Number, uint Cluster, IReadOnlyList<string> HonestAddresses, ModelDefinition Model);

/// <summary>
/// A registered member whose behaviour is the test's: it signs with its own key through the project's chain client and
/// speaks through the project's P2P stack (<see cref="AdversaryPeer"/>). One subclass is one attack: it says what it
/// does in a round (<see cref="PlayRoundAsync"/>) and what the swarm must make of it (<see cref="ExpectedDrop"/>), so
/// the run's assertions hold for every adversary without knowing them. A forging leader would override
/// <see cref="OptsOutOfLeadership"/> and act in the merge phase.
/// </summary>
public abstract class Adversary(string name) : IAsyncDisposable
{
    private SwarmCoordinator? _chain;
    private AdversaryPeer? _peer;
    private readonly List<string> _notes = [];

    public string Name => name;
    public NodeKey Key { get; } = NodeKey.Generate();
    public EthereumAddress Address => Key.Address;
    /// <summary>The first round it is a member of (from its registration event).</summary>
    public ulong EffectiveRound { get; private set; }
    /// <summary>The model it committed in each round it got a commit through.</summary>
    public Dictionary<ulong, ContentId> Commits { get; } = [];

    /// <summary>Registers once round 1 is open, so it is a member from round 2 (rather than before the honest nodes).</summary>
    public virtual bool RegistersLate => false;
    /// <summary>Leading is not its attack: it opts out, so the honest nodes lead and only its inputs are under test.</summary>
    public virtual bool OptsOutOfLeadership => true;
    /// <summary>The reason the leader must record when it drops this adversary's commit (null: it must not be committed).</summary>
    public abstract RejectionReason? ExpectedDrop { get; }

    protected SwarmCoordinator Chain => _chain ?? throw new InvalidOperationException($"{name} has not joined");
    protected AdversaryPeer Peer => _peer ?? throw new InvalidOperationException($"{name} has not joined");

    /// <summary>How many times peers asked this adversary for <paramref name="model"/>.</summary>
    public int TimesAskedFor(ContentId model) => _peer?.RequestsFor(model) ?? 0;

    public IReadOnlyList<string> Notes { get { lock (_notes) return [.. _notes]; } }

    protected void Note(string what)
    {
        lock (_notes) _notes.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {what}");
    }

    public async Task JoinAsync(string rpcUrl, EthereumAddress contract, CancellationToken ct)
    {
        var eth = new EthClient(new JsonRpcClient(rpcUrl));
        var sender = await TransactionSender.ConnectAsync(eth, Key, null, SwarmCoordinatorAbi.Errors, ct: ct);
        _chain = await SwarmCoordinator.AttachAsync(eth, contract, sender, ct: ct);
        _peer = new AdversaryPeer(Key, contract);
        await Chain.RegisterAsync(Peer.Address.ToString(), ct);
        if (OptsOutOfLeadership) await Chain.SetLeadershipOptOutAsync(true, ct);
        var registered = (await Chain.GetEventsAsync(ct: ct)).OfType<MemberRegistered>().Single(e => e.Member == Address);
        EffectiveRound = registered.EffectiveRound;
        Note($"registered {Address} at {Peer.Address}, member from round {EffectiveRound}");
    }

    /// <summary>Plays one round; called once the round is in its commit phase and this adversary is a member.</summary>
    public abstract Task PlayRoundAsync(AdversaryRound round, CancellationToken ct);

    /// <summary>
    /// Commits <paramref name="bytes"/> as its model and serves them (at a trickle, given a pause per byte), announcing the
    /// commit by gossip until its cluster's merge is out, as an honest node's announcement would be heard by a leader.
    /// </summary>
    protected async Task CommitAndServeAsync(AdversaryRound round, byte[] bytes, ulong samples, CancellationToken ct, TimeSpan? bytePause = null)
    {
        var id = Peer.Hold(bytes, bytePause);
        await Chain.CommitAsync(round.Number, round.Cluster, id.DigestBytes(), samples, 0, ct);
        Commits[round.Number] = id;
        Note($"round {round.Number}: committed {id} ({bytes.Length} bytes, {samples} samples)");
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (DateTime.UtcNow < until && !await MergedOrPastAsync(round, ct))
        {
            await Peer.ConnectAsync(round.HonestAddresses, ct);
            await Peer.AnnounceCommitAsync(round.Number, (int)round.Cluster, id, samples, ct);
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
    }

    private async Task<bool> MergedOrPastAsync(AdversaryRound round, CancellationToken ct) =>
        await Chain.CurrentRoundAsync(ct) > round.Number
        || (await Chain.GetRoundEventsAsync(round.Number, ct: ct)).OfType<MergePublished>().Any(m => m.Cluster == round.Cluster);

    public async ValueTask DisposeAsync()
    {
        if (_peer is not null) await _peer.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
