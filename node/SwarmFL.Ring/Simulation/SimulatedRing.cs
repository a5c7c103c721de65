using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Storage;
using Serilog;
using Serilog.Core;

namespace SwarmFL.Ring.Simulation;

/// <summary>One virtual node: its Chord state machine and (when the simulation stores models) its replicated store.</summary>
public sealed class SimulatedNode(NodeRef self, ChordNode chord, ReplicatedModelStore? store, MemoryBlobStore? blobs)
{
    public NodeRef Self { get; } = self;
    public ChordNode Chord { get; } = chord;
    public ReplicatedModelStore? Store { get; } = store;
    public MemoryBlobStore? Blobs { get; } = blobs;
    public bool Alive { get; internal set; } = true;
    public bool Joined { get; internal set; }
    public override string ToString() => Self.ToString();
}

/// <summary>
/// A ring of virtual nodes on an <see cref="InMemoryNetwork"/>, driven in rounds from a seeded random generator, with
/// an oracle that knows the true ring (all live members, sorted) to judge the protocol's state. The oracle only checks
/// and schedules (which node's timer fires when); the nodes' state comes from the protocol alone.
/// </summary>
public sealed class SimulatedRing
{
    private readonly List<SimulatedNode> _nodes = new();
    private readonly ILogger _log;
    private List<SimulatedNode>? _sortedLive;

    public SimulatedRing(int seed, ChordOptions options, int replicas = 0, ILogger? logger = null)
    {
        Random = new Random(seed);
        Options = options;
        Replicas = replicas;
        _log = logger ?? Logger.None;
    }

    public Random Random { get; }
    public ChordOptions Options { get; }
    public int Replicas { get; }
    public InMemoryNetwork Network { get; } = new();
    public IReadOnlyList<SimulatedNode> Nodes => _nodes;
    public IEnumerable<SimulatedNode> Live => _nodes.Where(node => node.Alive && node.Joined);

    /// <summary>A new node with a random PeerId (a sha2-256 multihash PeerId: valid, and cheap to make by the thousand).</summary>
    public SimulatedNode CreateNode()
    {
        var bytes = new byte[34];
        bytes[0] = 0x12;
        bytes[1] = 0x20;
        Random.NextBytes(bytes.AsSpan(2));
        var self = new NodeRef(PeerId.FromBytes(bytes));
        var transport = Network.TransportFor(self);
        var chord = new ChordNode(self, transport, Options, _log);
        MemoryBlobStore? blobs = null;
        ReplicatedModelStore? store = null;
        if (Replicas > 0)
        {
            blobs = new MemoryBlobStore();
            store = new ReplicatedModelStore(chord, blobs, transport, Replicas, _log);
        }
        Network.Register(self, chord, store);
        var node = new SimulatedNode(self, chord, store, blobs);
        _nodes.Add(node);
        return node;
    }

    /// <summary>The first node: a ring of one.</summary>
    public SimulatedNode Bootstrap()
    {
        var node = CreateNode();
        node.Joined = true;
        _sortedLive = null;
        return node;
    }

    public SimulatedNode RandomLiveNode()
    {
        var live = SortedLive();
        return live[Random.Next(live.Count)];
    }

    public async Task<SimulatedNode> JoinNewNodeAsync(SimulatedNode? via = null)
    {
        var node = CreateNode();
        await node.Chord.JoinAsync((via ?? RandomLiveNode()).Self).ConfigureAwait(false);
        node.Joined = true;
        _sortedLive = null;
        return node;
    }

    /// <summary>
    /// Grows a ring to <paramref name="size"/> nodes the way a real one grows: nodes join one at a time through a random
    /// member; after each join the joiner stabilizes, then its predecessor's stabilize timer fires; every node refreshes
    /// its fingers whenever the ring has doubled.
    /// </summary>
    public async Task BuildAsync(int size)
    {
        if (_nodes.Count == 0) Bootstrap();
        var nextFingerRefresh = 2;
        while (SortedLive().Count < size)
        {
            var node = await JoinNewNodeAsync().ConfigureAwait(false);
            await node.Chord.StabilizeAsync().ConfigureAwait(false);
            await PredecessorOf(node).Chord.StabilizeAsync().ConfigureAwait(false);
            if (SortedLive().Count >= nextFingerRefresh)
            {
                foreach (var member in SortedLive()) await member.Chord.FixFingersAsync().ConfigureAwait(false);
                nextFingerRefresh *= 2;
            }
        }
        // successor lists fill from the front: entry k settles within about k rounds
        BuildRounds = await StabilizeUntilCorrectAsync(maxRounds: 4 * Options.SuccessorListLength + 10).ConfigureAwait(false);
        if (BuildRounds < 0) throw new InvalidOperationException(IsCorrect(out var problem) ? "" : $"the grown ring did not settle: {problem}");
        foreach (var member in SortedLive()) await member.Chord.FixFingersAsync().ConfigureAwait(false);
    }

    /// <summary>Maintenance rounds the last <see cref="BuildAsync"/> needed after the joins to reach a correct ring.</summary>
    public int BuildRounds { get; private set; }

    /// <summary>One maintenance round: every live node, in random order, runs stabilize and check_predecessor (and fix_fingers).</summary>
    public async Task RunRoundAsync(bool fixFingers = false, bool repairStore = false)
    {
        var order = Live.ToArray();
        Random.Shuffle(order);
        foreach (var node in order)
        {
            await node.Chord.StabilizeAsync().ConfigureAwait(false);
            await node.Chord.CheckPredecessorAsync().ConfigureAwait(false);
        }
        if (fixFingers)
        {
            foreach (var node in order) await node.Chord.FixFingersAsync().ConfigureAwait(false);
        }
        if (repairStore)
        {
            foreach (var node in order) await node.Store!.RepairAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs rounds until the ring is correct; returns the number of rounds, or -1 after <paramref name="maxRounds"/>.</summary>
    public async Task<int> StabilizeUntilCorrectAsync(int maxRounds, bool fixFingers = false)
    {
        for (var round = 1; round <= maxRounds; round++)
        {
            await RunRoundAsync(fixFingers).ConfigureAwait(false);
            if (IsCorrect(out _)) return round;
        }
        return -1;
    }

    public void Fail(SimulatedNode node)
    {
        node.Alive = false;
        Network.Fail(node.Self);
        _sortedLive = null;
    }

    /// <summary>Fails a random fraction of the live nodes at once.</summary>
    public IReadOnlyList<SimulatedNode> FailFraction(double fraction)
    {
        var live = SortedLive().ToArray();
        Random.Shuffle(live);
        var victims = live.Take((int)Math.Round(live.Length * fraction)).ToArray();
        foreach (var victim in victims) Fail(victim);
        return victims;
    }

    public void MarkLeft(SimulatedNode node)
    {
        node.Alive = false;
        Network.Remove(node.Self);
        _sortedLive = null;
    }

    /// <summary>The oracle: live members sorted by ring id.</summary>
    public IReadOnlyList<SimulatedNode> SortedLive() => _sortedLive ??= Live.OrderBy(node => node.Self.Id).ToList();

    /// <summary>The true owner of a key: the first live member at or after it.</summary>
    public SimulatedNode TrueOwner(RingId key)
    {
        var live = SortedLive();
        int low = 0, high = live.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (live[mid].Self.Id < key) low = mid + 1;
            else high = mid;
        }
        return live[low % live.Count];
    }

    public SimulatedNode PredecessorOf(SimulatedNode node)
    {
        var live = SortedLive();
        var index = IndexOf(live, node);
        return live[(index - 1 + live.Count) % live.Count];
    }

    /// <summary>
    /// True when every live node's predecessor and whole successor list are exactly what the true ring says
    /// (the successor list holds the next min(r, N − 1) members).
    /// </summary>
    public bool IsCorrect(out string problem)
    {
        var live = SortedLive();
        problem = "";
        if (live.Count == 1)
        {
            var alone = live[0].Chord;
            if (alone.Successor == alone.Self) return true;
            problem = $"{alone.Self} is alone but names successor {alone.Successor}";
            return false;
        }
        var expectedLength = Math.Min(Options.SuccessorListLength, live.Count - 1);
        for (var i = 0; i < live.Count; i++)
        {
            var chord = live[i].Chord;
            var predecessor = live[(i - 1 + live.Count) % live.Count].Self;
            if (chord.Predecessor != predecessor)
            {
                problem = $"{chord.Self} has predecessor {chord.Predecessor?.ToString() ?? "none"}, expected {predecessor}";
                return false;
            }
            var successors = chord.Successors;
            if (successors.Count != expectedLength)
            {
                problem = $"{chord.Self} has {successors.Count} successors, expected {expectedLength}";
                return false;
            }
            for (var k = 0; k < expectedLength; k++)
            {
                if (successors[k] != live[(i + 1 + k) % live.Count].Self)
                {
                    problem = $"{chord.Self}'s successor #{k} is {successors[k]}, expected {live[(i + 1 + k) % live.Count].Self}";
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>True when every live node's first successor is the true one (the part lookups rely on).</summary>
    public bool SuccessorsCorrect()
    {
        var live = SortedLive();
        for (var i = 0; i < live.Count; i++)
        {
            if (live[i].Chord.Successor != live[(i + 1) % live.Count].Self) return false;
        }
        return true;
    }

    public RingId RandomKey()
    {
        Span<byte> bytes = stackalloc byte[RingId.ByteLength];
        Random.NextBytes(bytes);
        return RingId.FromBigEndian(bytes);
    }

    private static int IndexOf(IReadOnlyList<SimulatedNode> sorted, SimulatedNode node)
    {
        int low = 0, high = sorted.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var cmp = sorted[mid].Self.Id.CompareTo(node.Self.Id);
            if (cmp == 0) return mid;
            if (cmp < 0) low = mid + 1;
            else high = mid - 1;
        }
        throw new ArgumentException($"{node} is not a live member");
    }
}
