using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Router;
using SwarmFL.P2P.PubSub.Rpc;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub;

// Peers and streams (pubsub spec, "Stream management"): each side opens one long-lived outbound stream to every
// pubsub peer and writes only on it; RPCs from the peer arrive on the stream the peer opened to us.
public sealed partial class GossipSub
{
    private void OnPeerConnected(PeerId peer) => Post(() =>
    {
        if (_disposed) return;
        EnsureOutbound(GetOrAddPeer(peer));
    });

    private void OnPeerDisconnected(PeerId peer) => Post(() => RemovePeer(peer, "disconnected"));

    private PeerState GetOrAddPeer(PeerId id)
    {
        if (_peers.TryGetValue(id, out var peer)) return peer;
        peer = new PeerState(id);
        _peers[id] = peer;
        _score.Connected(id);
        return peer;
    }

    private void EnsureOutbound(PeerState peer)
    {
        if (peer.Outbound is not null || peer.OpeningOutbound || _disposed) return;
        peer.OpeningOutbound = true;
        _ = OpenOutboundAsync(peer.Id);
    }

    private async Task OpenOutboundAsync(PeerId peer)
    {
        PubSubStream stream;
        try
        {
            stream = await _network.OpenStreamAsync(peer, PubSubProtocols.All, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Debug("Peer {Peer} does not speak pubsub: {Reason}", peer, e.Message);
            Post(() =>
            {
                if (!_peers.TryGetValue(peer, out var state)) return;
                state.OpeningOutbound = false;
                state.Pending.Clear();
            });
            return;
        }
        Post(() => AttachOutbound(peer, stream));
    }

    private void AttachOutbound(PeerId id, PubSubStream stream)
    {
        if (_disposed || !_peers.TryGetValue(id, out var peer) || peer.Outbound is not null)
        {
            _ = stream.Stream.DisposeAsync().AsTask();
            return;
        }
        peer.OpeningOutbound = false;
        peer.Protocol = stream.Protocol;
        PeerOutbound? outbound = null;
        outbound = new PeerOutbound(stream, _options.OutboundQueueCapacity, _options.MaxRpcSize, _log,
            failure => Post(() => OnOutboundFailed(id, outbound!, failure)));
        peer.Outbound = outbound;
        _log.Debug("Pubsub stream to {Peer} open with {Protocol}", id, stream.Protocol);

        // Hello: our subscriptions, so the peer can put us in its meshes.
        if (_subscriptions.Count > 0)
        {
            var hello = new RPC();
            foreach (var topic in _subscriptions.Keys) hello.Subscriptions.Add(new RPC.Types.SubOpts { Subscribe = true, Topicid = topic });
            Send(peer, hello);
        }
        foreach (var pending in peer.Pending) Send(peer, pending);
        peer.Pending.Clear();
    }

    private const int MaxOutboundReopens = 3;

    /// <summary>
    /// Our stream to the peer broke. The connection (and the peer's subscriptions, learned on its own stream) may well
    /// be intact, so the peer leaves our meshes and we open a fresh stream; only a peer that keeps failing is dropped.
    /// </summary>
    private void OnOutboundFailed(PeerId id, PeerOutbound outbound, Exception failure)
    {
        if (!_peers.TryGetValue(id, out var peer) || !ReferenceEquals(peer.Outbound, outbound)) return;
        _log.Debug("Pubsub stream to {Peer} failed: {Reason}", id, failure.Message);
        peer.Outbound = null;
        _ = outbound.DisposeAsync().AsTask();
        foreach (var mesh in _mesh.Values) mesh.Remove(id);
        foreach (var fanout in _fanout.Values) fanout.Remove(id);
        if (++peer.OutboundReopens <= MaxOutboundReopens && _network.ConnectedPeers.Contains(id)) EnsureOutbound(peer);
        else RemovePeer(id, "outbound stream failed");
    }

    private void RemovePeer(PeerId id, string reason)
    {
        if (!_peers.Remove(id, out var peer)) return;
        foreach (var mesh in _mesh.Values) mesh.Remove(id);
        foreach (var fanout in _fanout.Values) fanout.Remove(id);
        _score.Disconnected(id, _time.GetUtcNow());
        if (peer.Outbound is { } outbound) _ = outbound.DisposeAsync().AsTask();
        _log.Debug("Pubsub peer {Peer} removed: {Reason}", id, reason);
    }

    private async Task HandleInboundStreamAsync(PubSubStream stream, CancellationToken cancellationToken)
    {
        var id = stream.RemotePeer;
        Post(() =>
        {
            if (_disposed) return;
            var peer = GetOrAddPeer(id);
            peer.Protocol ??= stream.Protocol;
            EnsureOutbound(peer);
        });

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var reader = new RpcFrameReader(stream.Stream, _options.MaxRpcSize);
        // Backpressure: a peer that sends faster than the event loop handles its RPCs stops being read (its TCP window
        // fills up) instead of growing our mailbox without bound.
        var queued = new SemaphoreSlim(MaxQueuedRpcsPerStream); // not disposed: queued actions release it after the stream ends
        try
        {
            while (true)
            {
                var frame = await reader.ReadAsync(linked.Token).ConfigureAwait(false);
                switch (frame.Kind)
                {
                    case RpcFrameKind.Rpc:
                        var rpc = frame.Rpc!;
                        await queued.WaitAsync(linked.Token).ConfigureAwait(false);
                        Post(() =>
                        {
                            try { HandleRpc(id, rpc); }
                            finally { queued.Release(); }
                        });
                        break;
                    case RpcFrameKind.Malformed:
                    case RpcFrameKind.Oversized:
                        Post(() => OnBadFrame(id, frame));
                        break;
                    case RpcFrameKind.Fatal:
                        Post(() => OnBadFrame(id, frame));
                        return;
                    case RpcFrameKind.End:
                        return;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            _log.Debug("Pubsub stream from {Peer} ended: {Reason}", id, e.Message);
        }
        finally
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            try { await stream.Stream.DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) { _log.Debug("Closing the pubsub stream from {Peer} failed: {Reason}", id, e.Message); }
        }
    }

    /// <summary>A frame we could not use counts as an invalid message (P4) of the peer that sent it.</summary>
    private void OnBadFrame(PeerId id, RpcFrame frame)
    {
        if (frame.Kind == RpcFrameKind.Oversized) _stats.OversizedFrames++;
        else _stats.MalformedFrames++;
        _score.AddInvalidMessage(id);
        _log.Warning("Bad pubsub frame from {Peer} ({Kind}): {Reason}", id, frame.Kind, frame.Error);
    }

    private const int MaxPendingRpcs = 256;
    private const int MaxQueuedRpcsPerStream = 64;

    private bool Send(PeerState peer, RPC rpc)
    {
        if (peer.Outbound is not { } outbound)
        {
            // Replies to a peer whose stream to us opened first must not be lost while ours is negotiated.
            if (!peer.OpeningOutbound || peer.Pending.Count >= MaxPendingRpcs) return false;
            peer.Pending.Add(rpc);
            return true;
        }
        if (outbound.TryEnqueue(rpc)) return true;
        _stats.DroppedOutbound++;
        _log.Warning("Outbound queue to {Peer} is full; dropping an RPC", peer.Id);
        return false;
    }
}
