using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Router;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub;

// Control messages (gossipsub v1.0 "Control messages", v1.1 "Prune Backoff" and "Spam Protection Measures").
public sealed partial class GossipSub
{
    private void HandleControl(PeerState peer, ControlMessage control)
    {
        var wanted = HandleIHave(peer, control.Ihave);
        var answers = HandleIWant(peer, control.Iwant);
        var refusals = HandleGraft(peer, control.Graft);
        HandlePrune(peer, control.Prune);

        if (wanted.Count > 0 || refusals.Count > 0)
        {
            var reply = new ControlMessage();
            if (wanted.Count > 0) reply.Iwant.Add(new ControlIWant { MessageIDs = { wanted } });
            reply.Prune.AddRange(refusals);
            Send(peer, new RPC { Control = reply });
        }
        // One message per RPC, so that a burst of answers never exceeds the frame limit.
        foreach (var message in answers) Send(peer, new RPC { Publish = { message } });
    }

    /// <summary>IHAVE: ask for announced ids we have not seen, within the per-heartbeat limits.</summary>
    private List<ByteString> HandleIHave(PeerState peer, IList<ControlIHave> ihaves)
    {
        var wanted = new List<ByteString>();
        if (ihaves.Count == 0 || _score.Score(peer.Id) < _scoreOptions.GossipThreshold) return wanted;
        peer.IHavesThisHeartbeat++;
        if (peer.IHavesThisHeartbeat > _options.MaxIHaveMessages || peer.IWantedThisHeartbeat >= _options.MaxIHaveLength) return wanted;

        var unique = new HashSet<MessageId>();
        foreach (var ihave in ihaves)
        {
            if (!ihave.HasTopicID || !_subscriptions.ContainsKey(ihave.TopicID)) continue;
            foreach (var idBytes in ihave.MessageIDs)
            {
                var id = new MessageId(idBytes.Span);
                if (!_seen.Contains(id) && unique.Add(id)) wanted.Add(idBytes);
            }
        }
        var budget = _options.MaxIHaveLength - peer.IWantedThisHeartbeat;
        if (wanted.Count > budget) wanted = Shuffled(wanted).Take(budget).ToList();
        peer.IWantedThisHeartbeat += wanted.Count;
        _stats.IWantSent += wanted.Count;
        return wanted;
    }

    /// <summary>IWANT: answer from the message cache, each message at most GossipRetransmission times per peer.</summary>
    private List<Message> HandleIWant(PeerState peer, IList<ControlIWant> iwants)
    {
        var answers = new List<Message>();
        if (iwants.Count == 0 || _score.Score(peer.Id) < _scoreOptions.GossipThreshold) return answers;
        var unique = new HashSet<MessageId>();
        foreach (var iwant in iwants)
            foreach (var idBytes in iwant.MessageIDs)
            {
                var id = new MessageId(idBytes.Span);
                if (!unique.Add(id)) continue;
                if (_messageCache.GetForPeer(id, peer.Id, _options.GossipRetransmission) is { } message) answers.Add(message);
            }
        _stats.IWantServed += answers.Count;
        return answers;
    }

    /// <summary>
    /// GRAFT: add the peer to our mesh unless we are not in the topic, the peer is backing off (which it must respect:
    /// penalized, P7), its score is negative, or the mesh is full. Refusals are answered with PRUNE.
    /// </summary>
    private List<ControlPrune> HandleGraft(PeerState peer, IList<ControlGraft> grafts)
    {
        var refusals = new List<ControlPrune>();
        var now = _time.GetUtcNow();
        foreach (var graft in grafts)
        {
            if (!graft.HasTopicID) continue;
            var topic = graft.TopicID;
            // Not our topic: ignore rather than answer, so GRAFT spam costs us nothing (v1.1).
            if (!_mesh.TryGetValue(topic, out var mesh) || mesh.Contains(peer.Id)) continue;

            string? refusal = null;
            if (InBackoff(topic, peer.Id, now))
            {
                _score.AddBehaviourPenalty(peer.Id);
                refusal = "graft during backoff";
            }
            else if (_score.Score(peer.Id) < 0) refusal = "negative score";
            else if (mesh.Count >= _options.DHigh) refusal = "mesh is full";

            if (refusal is null)
            {
                mesh.Add(peer.Id);
                continue;
            }
            _stats.GraftsRefused++;
            _stats.PrunesSent++;
            AddBackoff(topic, peer.Id, _options.PruneBackoff, now);
            refusals.Add(MakePrune(peer, topic, _options.PruneBackoff));
            _log.Debug("Refused GRAFT from {Peer} on {Topic}: {Reason}", peer.Id, topic, refusal);
        }
        return refusals;
    }

    /// <summary>
    /// PRUNE: leave the peer's mesh and do not graft it again before the backoff it asked for (or our default for
    /// v1.0 peers). Peer exchange records are not dialled: we do not connect to strangers named by another peer.
    /// </summary>
    private void HandlePrune(PeerState peer, IList<ControlPrune> prunes)
    {
        var now = _time.GetUtcNow();
        foreach (var prune in prunes)
        {
            if (!prune.HasTopicID) continue;
            if (_mesh.TryGetValue(prune.TopicID, out var mesh)) mesh.Remove(peer.Id);
            var backoff = prune.HasBackoff && prune.Backoff > 0
                ? TimeSpan.FromSeconds(Math.Min(prune.Backoff, TimeSpan.FromDays(1).TotalSeconds))
                : _options.PruneBackoff;
            AddBackoff(prune.TopicID, peer.Id, backoff, now);
        }
    }

    private static ControlPrune MakePrune(PeerState peer, string topic, TimeSpan backoff)
    {
        var prune = new ControlPrune { TopicID = topic };
        if (PubSubProtocols.SupportsPruneBackoff(peer.Protocol)) prune.Backoff = (ulong)Math.Ceiling(backoff.TotalSeconds);
        return prune;
    }

    private void SendGraft(PeerState peer, string topic)
    {
        Send(peer, new RPC { Control = new ControlMessage { Graft = { new ControlGraft { TopicID = topic } } } });
        _stats.GraftsSent++;
    }

    private void AddBackoff(string topic, PeerId peer, TimeSpan duration, DateTimeOffset now)
    {
        if (!_backoff.TryGetValue(topic, out var peers)) _backoff[topic] = peers = new();
        var until = now + duration;
        if (!peers.TryGetValue(peer, out var existing) || existing < until) peers[peer] = until;
    }

    private bool InBackoff(string topic, PeerId peer, DateTimeOffset now) =>
        _backoff.TryGetValue(topic, out var peers) && peers.TryGetValue(peer, out var until) && until > now;
}
