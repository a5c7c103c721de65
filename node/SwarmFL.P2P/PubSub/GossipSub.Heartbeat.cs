using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Router;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub;

// The heartbeat (gossipsub v1.0 "Heartbeat", v1.1 "Heartbeat Maintenance"): mesh upkeep, fanout upkeep, gossip
// emission, cache shifting. Control messages of one heartbeat are batched into one RPC per peer.
public sealed partial class GossipSub
{
    private void Heartbeat()
    {
        if (_disposed) return;
        var now = _time.GetUtcNow();
        _stats.Heartbeats++;
        _score.Decay(now);
        foreach (var peer in _peers.Values)
        {
            peer.IHavesThisHeartbeat = 0;
            peer.IWantedThisHeartbeat = 0;
        }
        ExpireBackoffs(now);

        var outgoing = new Dictionary<PeerId, ControlMessage>();
        ControlMessage For(PeerId id) => outgoing.TryGetValue(id, out var c) ? c : outgoing[id] = new ControlMessage();

        foreach (var (topic, mesh) in _mesh) MaintainMesh(topic, mesh, now, For);
        MaintainFanout(now);
        foreach (var (topic, mesh) in _mesh) EmitGossip(topic, mesh, For);
        foreach (var (topic, fanout) in _fanout) EmitGossip(topic, fanout, For);

        foreach (var (id, control) in outgoing)
            if (_peers.TryGetValue(id, out var peer)) Send(peer, new RPC { Control = control });

        _messageCache.Shift();
        _seen.Prune(now);
    }

    private void MaintainMesh(string topic, HashSet<PeerId> mesh, DateTimeOffset now, Func<PeerId, ControlMessage> outgoing)
    {
        foreach (var id in mesh.ToList())
        {
            if (!_peers.TryGetValue(id, out var peer) || !peer.Topics.Contains(topic) || !peer.CanSend)
            {
                mesh.Remove(id);
            }
            else if (_score.Score(id) < 0)
            {
                mesh.Remove(id);
                Prune(peer, topic, now, outgoing);
            }
        }

        if (mesh.Count < _options.DLow)
        {
            var candidates = Shuffled(TopicPeers(topic, p => p.IsGossipSub && !mesh.Contains(p.Id) && !InBackoff(topic, p.Id, now) && _score.Score(p.Id) >= 0));
            foreach (var peer in candidates.Take(_options.D - mesh.Count))
            {
                mesh.Add(peer.Id);
                outgoing(peer.Id).Graft.Add(new ControlGraft { TopicID = topic });
                _stats.GraftsSent++;
            }
        }

        if (mesh.Count > _options.DHigh)
        {
            // Keep the DScore best-scoring peers, then random others up to D (v1.1); ties break randomly.
            var byScore = Shuffled(mesh.ToList()).OrderByDescending(id => _score.Score(id)).ToList();
            var keep = new HashSet<PeerId>(byScore.Take(_options.DScore));
            foreach (var id in Shuffled(byScore.Skip(_options.DScore).ToList()).Take(_options.D - keep.Count)) keep.Add(id);
            foreach (var id in byScore.Where(id => !keep.Contains(id)))
            {
                mesh.Remove(id);
                Prune(_peers[id], topic, now, outgoing);
            }
        }
    }

    private void Prune(PeerState peer, string topic, DateTimeOffset now, Func<PeerId, ControlMessage> outgoing)
    {
        AddBackoff(topic, peer.Id, _options.PruneBackoff, now);
        outgoing(peer.Id).Prune.Add(MakePrune(peer, topic, _options.PruneBackoff));
        _stats.PrunesSent++;
    }

    private void MaintainFanout(DateTimeOffset now)
    {
        foreach (var topic in _fanout.Keys.ToList())
        {
            if (!_fanoutLastPublish.TryGetValue(topic, out var last) || now - last >= _options.FanoutTtl)
            {
                _fanout.Remove(topic);
                _fanoutLastPublish.Remove(topic);
                continue;
            }
            var fanout = _fanout[topic];
            fanout.RemoveWhere(id => !_peers.TryGetValue(id, out var peer) || !peer.Topics.Contains(topic) || !peer.CanSend
                                     || _score.Score(id) < _scoreOptions.PublishThreshold);
            if (fanout.Count < _options.D)
                foreach (var peer in Shuffled(TopicPeers(topic, p => p.IsGossipSub && !fanout.Contains(p.Id) && _score.Score(p.Id) >= _scoreOptions.PublishThreshold)).Take(_options.D - fanout.Count))
                    fanout.Add(peer.Id);
        }
    }

    /// <summary>IHAVE for the recent windows to max(DLazy, GossipFactor × eligible) random non-mesh peers of the topic.</summary>
    private void EmitGossip(string topic, HashSet<PeerId> exclude, Func<PeerId, ControlMessage> outgoing)
    {
        var ids = _messageCache.GetGossipIds(topic);
        if (ids.Count == 0) return;
        var candidates = Shuffled(TopicPeers(topic, p => p.IsGossipSub && !exclude.Contains(p.Id) && _score.Score(p.Id) >= _scoreOptions.GossipThreshold));
        if (candidates.Count == 0) return;
        if (ids.Count > _options.MaxIHaveLength) ids = Shuffled(ids).Take(_options.MaxIHaveLength).ToList();
        var ihave = new ControlIHave { TopicID = topic };
        foreach (var id in ids) ihave.MessageIDs.Add(ByteString.CopyFrom(id.Bytes));
        var count = Math.Max(_options.DLazy, (int)(_options.GossipFactor * candidates.Count));
        foreach (var peer in candidates.Take(count))
        {
            outgoing(peer.Id).Ihave.Add(ihave);
            _stats.IHaveSent++;
        }
    }

    private void ExpireBackoffs(DateTimeOffset now)
    {
        foreach (var topic in _backoff.Keys.ToList())
        {
            var peers = _backoff[topic];
            foreach (var (id, until) in peers.ToList())
                if (until <= now) peers.Remove(id);
            if (peers.Count == 0) _backoff.Remove(topic);
        }
    }
}
