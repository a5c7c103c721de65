using SwarmFL.Crypto;

namespace SwarmFL.P2P.PubSub.Router;

/// <summary>The counters behind <see cref="PeerScoreOptions"/>; see there for the formula.</summary>
internal sealed class PeerScore(PeerScoreOptions options)
{
    private sealed class Counters
    {
        public double InvalidMessages;
        public double BehaviourPenalty;
        public DateTimeOffset? DisconnectedAt;
    }

    private readonly Dictionary<PeerId, Counters> _peers = new();

    public double Score(PeerId peer) =>
        _peers.TryGetValue(peer, out var c)
            ? options.InvalidMessageWeight * c.InvalidMessages * c.InvalidMessages
              + options.BehaviourPenaltyWeight * c.BehaviourPenalty * c.BehaviourPenalty
            : 0;

    public double InvalidMessages(PeerId peer) => _peers.TryGetValue(peer, out var c) ? c.InvalidMessages : 0;

    public void AddInvalidMessage(PeerId peer) => Get(peer).InvalidMessages += 1;

    public void AddBehaviourPenalty(PeerId peer, double count = 1) => Get(peer).BehaviourPenalty += count;

    public void Connected(PeerId peer) => Get(peer).DisconnectedAt = null;

    public void Disconnected(PeerId peer, DateTimeOffset now)
    {
        if (_peers.TryGetValue(peer, out var c)) c.DisconnectedAt = now;
    }

    /// <summary>One heartbeat's decay; forgets disconnected peers after the retention time and clean peers at once.</summary>
    public void Decay(DateTimeOffset now)
    {
        List<PeerId>? forget = null;
        foreach (var (peer, c) in _peers)
        {
            c.InvalidMessages = DecayOne(c.InvalidMessages, options.InvalidMessageDecay);
            c.BehaviourPenalty = DecayOne(c.BehaviourPenalty, options.BehaviourPenaltyDecay);
            var clean = c.InvalidMessages == 0 && c.BehaviourPenalty == 0;
            if (c.DisconnectedAt is { } gone && (clean || now - gone >= options.RetainScore)) (forget ??= []).Add(peer);
        }
        if (forget is not null) foreach (var peer in forget) _peers.Remove(peer);
    }

    private double DecayOne(double value, double decay)
    {
        value *= decay;
        return value < options.DecayToZero ? 0 : value;
    }

    private Counters Get(PeerId peer)
    {
        if (!_peers.TryGetValue(peer, out var c)) _peers[peer] = c = new Counters();
        return c;
    }
}
