using System.Collections.Immutable;
using System.Threading.Channels;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Router;
using SwarmFL.P2P.PubSub.Signing;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub;

// Subscriptions and the life of a message: receive, deduplicate, verify, validate, deliver, forward; and publish.
public sealed partial class GossipSub
{
    private void HandleRpc(PeerId id, RPC rpc)
    {
        if (_disposed) return;
        var peer = GetOrAddPeer(id);
        if (_score.Score(id) < _scoreOptions.GraylistThreshold)
        {
            _stats.GraylistedRpcs++;
            return;
        }

        foreach (var subscription in rpc.Subscriptions)
        {
            if (!subscription.HasTopicid || subscription.Topicid.Length == 0) continue;
            var topic = subscription.Topicid;
            if (subscription.Subscribe)
            {
                peer.Topics.Add(topic);
            }
            else
            {
                peer.Topics.Remove(topic);
                if (_mesh.TryGetValue(topic, out var mesh)) mesh.Remove(id);
                if (_fanout.TryGetValue(topic, out var fanout)) fanout.Remove(id);
            }
        }

        foreach (var message in rpc.Publish) HandleIncomingMessage(peer, message);

        if (rpc.Control is { } control && peer.IsGossipSub) HandleControl(peer, control);
    }

    private void HandleIncomingMessage(PeerState source, Message message)
    {
        _stats.MessagesReceived++;
        if (!message.HasTopic || message.Topic.Length == 0)
        {
            RejectFrom(source.Id, "message has no topic");
            return;
        }
        // A router relays only topics it is subscribed to (it has no mesh for the others).
        if (!_subscriptions.ContainsKey(message.Topic)) return;

        if (_options.MessageIdFunction(message) is not { } id)
        {
            RejectFrom(source.Id, "message id cannot be computed (no from or seqno)");
            return;
        }
        // Ids enter the seen-cache before validation, so copies arriving while we validate are dropped too.
        if (!_seen.TryAdd(id, _time.GetUtcNow()))
        {
            _stats.Duplicates++;
            return;
        }
        if (message.HasFrom && message.From.Span.SequenceEqual(LocalPeerId.Bytes)) return; // our own, relayed back

        var validators = _validators.GetValueOrDefault(message.Topic, ImmutableArray<MessageValidator>.Empty);
        // Bounded: a flood of messages waits for a few validation slots, and beyond the queue it is dropped.
        if (Interlocked.Increment(ref _queuedValidations) > _options.MaxQueuedValidations)
        {
            Interlocked.Decrement(ref _queuedValidations);
            _stats.ValidationsDropped++;
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await _validationSlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
                try { await ValidateAsync(source.Id, message, id, validators).ConfigureAwait(false); }
                finally { _validationSlots.Release(); }
            }
            catch (OperationCanceledException) { }
            finally { Interlocked.Decrement(ref _queuedValidations); }
        });
    }

    private async Task ValidateAsync(PeerId source, Message message, MessageId id, ImmutableArray<MessageValidator> validators)
    {
        PubSubMessage? delivered = null;
        ValidationResult result;
        string? reason = null;
        if (!StrictSign.TryVerify(message, out var author, out var sequenceNumber, out var signatureError))
        {
            result = ValidationResult.Reject;
            reason = signatureError;
        }
        else
        {
            delivered = new PubSubMessage(message.Topic, message.Data.Memory, author!, sequenceNumber, id, source);
            result = ValidationResult.Accept;
            foreach (var validator in validators)
            {
                try
                {
                    result = await validator(delivered, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    _log.Warning(e, "Validator for topic {Topic} threw; ignoring message {MessageId}", message.Topic, id);
                    result = ValidationResult.Ignore;
                }
                if (result != ValidationResult.Accept)
                {
                    reason ??= $"validator said {result}";
                    break;
                }
            }
        }
        Post(() => CompleteValidation(source, message, id, delivered, result, reason));
    }

    private void CompleteValidation(PeerId source, Message message, MessageId id, PubSubMessage? delivered, ValidationResult result, string? reason)
    {
        if (_disposed) return;
        switch (result)
        {
            case ValidationResult.Reject:
                RejectFrom(source, reason ?? "rejected");
                return;
            case ValidationResult.Ignore:
                _stats.Ignored++;
                _log.Debug("Ignoring message {MessageId} from {Peer}: {Reason}", id, source, reason);
                return;
        }
        _stats.Accepted++;
        _messageCache.Put(id, message);
        Deliver(delivered!);
        Forward(message, source, delivered!.From);
    }

    /// <summary>An invalid message costs the peer that sent it (the propagation source), not the claimed author.</summary>
    private void RejectFrom(PeerId source, string reason)
    {
        _stats.Rejected++;
        _score.AddInvalidMessage(source);
        _log.Debug("Rejected a message from {Peer}: {Reason}", source, reason);
    }

    private void Deliver(PubSubMessage message)
    {
        if (!_subscriptions.TryGetValue(message.Topic, out var subscribers)) return;
        foreach (var subscriber in subscribers) subscriber.Writer.TryWrite(message);
        _stats.Delivered++;
    }

    /// <summary>Sends a validated message on to the topic's mesh (and floodsub peers), never back to its source or author.</summary>
    private void Forward(Message message, PeerId source, PeerId author)
    {
        var rpc = new RPC { Publish = { message } };
        var targets = new HashSet<PeerId>();
        if (_mesh.TryGetValue(message.Topic, out var mesh)) targets.UnionWith(mesh);
        foreach (var peer in _peers.Values)
            if (peer.IsFloodSub && peer.Topics.Contains(message.Topic) && _score.Score(peer.Id) >= _scoreOptions.PublishThreshold)
                targets.Add(peer.Id);
        targets.Remove(source);
        targets.Remove(author);
        foreach (var target in targets)
            if (_peers.TryGetValue(target, out var peer) && Send(peer, rpc)) _stats.Forwarded++;
    }

    private PublishResult PublishLocal(Message message, MessageId id)
    {
        var now = _time.GetUtcNow();
        var topic = message.Topic;
        _seen.TryAdd(id, now);
        _messageCache.Put(id, message);
        _stats.Published++;
        if (_options.EmitSelf)
            Deliver(new PubSubMessage(topic, message.Data.Memory, LocalPeerId, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(message.Seqno.Span), id, LocalPeerId));

        var targets = new HashSet<PeerId>();
        var subscribed = _mesh.TryGetValue(topic, out var mesh);
        if (!subscribed)
        {
            // Publishing without subscribing goes through the fanout, kept for FanoutTtl after the last publish.
            _fanoutLastPublish[topic] = now;
            if (!_fanout.TryGetValue(topic, out var fanout)) _fanout[topic] = fanout = [];
            if (fanout.Count < _options.D)
                foreach (var candidate in Shuffled(TopicPeers(topic, p => p.IsGossipSub && !fanout.Contains(p.Id) && _score.Score(p.Id) >= _scoreOptions.PublishThreshold)).Take(_options.D - fanout.Count))
                    fanout.Add(candidate.Id);
            mesh = fanout;
        }

        if (_options.FloodPublish)
        {
            foreach (var peer in TopicPeers(topic, p => _score.Score(p.Id) >= _scoreOptions.PublishThreshold)) targets.Add(peer.Id);
        }
        else
        {
            targets.UnionWith(mesh!);
            foreach (var peer in TopicPeers(topic, p => p.IsFloodSub && _score.Score(p.Id) >= _scoreOptions.PublishThreshold)) targets.Add(peer.Id);
        }

        var rpc = new RPC { Publish = { message } };
        var sent = 0;
        foreach (var target in targets)
            if (_peers.TryGetValue(target, out var peer) && Send(peer, rpc)) sent++;
        _log.Debug("Published {MessageId} on {Topic} to {Peers} peers", id, topic, sent);
        return new PublishResult(id, sent);
    }

    /// <summary>JOIN (gossipsub v1.0 "Topic membership"): announce, take over the fanout, graft up to D peers.</summary>
    private void Join(string topic, Channel<PubSubMessage> subscriber)
    {
        if (_disposed)
        {
            subscriber.Writer.TryComplete();
            return;
        }
        if (_subscriptions.TryGetValue(topic, out var subscribers))
        {
            subscribers.Add(subscriber);
            return;
        }
        _subscriptions[topic] = [subscriber];
        Announce(topic, subscribe: true);

        var now = _time.GetUtcNow();
        var mesh = new HashSet<PeerId>();
        if (_fanout.Remove(topic, out var fanout))
            foreach (var id in fanout)
                if (_score.Score(id) >= 0 && !InBackoff(topic, id, now)) mesh.Add(id);
        _fanoutLastPublish.Remove(topic);
        if (mesh.Count < _options.D)
            foreach (var candidate in Shuffled(TopicPeers(topic, p => p.IsGossipSub && !mesh.Contains(p.Id) && !InBackoff(topic, p.Id, now) && _score.Score(p.Id) >= 0)).Take(_options.D - mesh.Count))
                mesh.Add(candidate.Id);
        _mesh[topic] = mesh;
        foreach (var id in mesh) SendGraft(_peers[id], topic);
        _log.Debug("Joined {Topic} with a mesh of {MeshSize}", topic, mesh.Count);
    }

    /// <summary>LEAVE: announce, prune every mesh peer with the unsubscribe backoff.</summary>
    private void Leave(string topic)
    {
        if (!_subscriptions.Remove(topic, out var subscribers)) return;
        foreach (var subscriber in subscribers) subscriber.Writer.TryComplete();
        Announce(topic, subscribe: false);
        if (_mesh.Remove(topic, out var mesh))
        {
            var now = _time.GetUtcNow();
            foreach (var id in mesh)
            {
                AddBackoff(topic, id, _options.UnsubscribeBackoff, now);
                if (_peers.TryGetValue(id, out var peer))
                    Send(peer, new RPC { Control = new ControlMessage { Prune = { MakePrune(peer, topic, _options.UnsubscribeBackoff) } } });
                _stats.PrunesSent++;
            }
        }
    }

    private void Announce(string topic, bool subscribe)
    {
        var rpc = new RPC { Subscriptions = { new RPC.Types.SubOpts { Subscribe = subscribe, Topicid = topic } } };
        foreach (var peer in _peers.Values) Send(peer, rpc);
    }

    /// <summary>Connected peers we can send to that announced <paramref name="topic"/>, filtered.</summary>
    private List<PeerState> TopicPeers(string topic, Func<PeerState, bool> filter) =>
        _peers.Values.Where(p => p.CanSend && p.Topics.Contains(topic) && filter(p)).ToList();

    private List<T> Shuffled<T>(List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return items;
    }
}
