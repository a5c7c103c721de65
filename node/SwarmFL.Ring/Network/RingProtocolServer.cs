using Google.Protobuf;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.P2P.Protocols.RequestResponse;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;
using SwarmFL.Ring.Network.Messages;
using SwarmFL.Ring.Storage;

namespace SwarmFL.Ring.Network;

/// <summary>
/// Answers /swarmfl/chord/1.0.0 and /swarmfl/ring-store/1.0.0 for a node, and serves its verified blobs on
/// /swarmfl/model/1.0.0. Requests are decoded defensively; anything malformed gets an error answer, never a crash.
/// The caller of notify / leaving / store is the authenticated remote peer of the stream. All three protocols are
/// members only (the host answers an outsider "na" before reading a byte).
/// </summary>
public static class RingProtocolServer
{
    public static void Serve(Libp2pHost host, ChordNode node, ReplicatedModelStore? store, ILogger? logger = null)
    {
        var log = logger ?? Log.ForContext(typeof(RingProtocolServer));
        IChordService chord = node;
        RequestResponse.Handle(host, Libp2pRingTransport.ChordProtocol, ChordRequest.Parser, async (request, stream, ct) =>
        {
            try
            {
                return await AnswerAsync(host, node, chord, store, request, stream, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidAnswerException or FormatException or ArgumentException)
            {
                log.Debug("Bad chord request from {Peer}: {Reason}", stream.RemotePeer, e.Message);
                return new ChordResponse { Error = e.Message };
            }
        }, Libp2pRingTransport.MaxChordMessage, StreamHandlerOptions.MembersOnlyDefault);

        if (store is null) return;
        IBlobService blobs = store;
        RequestResponse.Handle(host, Libp2pRingTransport.StoreProtocol, StoreRequest.Parser, async (request, stream, ct) =>
        {
            try
            {
                var cid = ContentId.FromBytes(request.Cid.Span);
                var accepted = await blobs.StoreAsync(Caller(host, stream), cid, request.Content.Memory, ct).ConfigureAwait(false);
                return new StoreResponse { Accepted = accepted, Error = accepted ? "" : "refused: the content does not match the id, breaks a size or quota limit, is past retention, or this node is not one of its replica holders (the holder counts the reason)" };
            }
            catch (FormatException e)
            {
                return new StoreResponse { Accepted = false, Error = e.Message };
            }
        }, (int)Math.Min(int.MaxValue, Libp2pRingTransport.MaxModelBytes + 1024), StreamHandlerOptions.MembersOnlyDefault);
        ModelProtocol.Serve(host, new VerifiedBlobSource(store.Local, store.Counters), log);
    }

    private static async Task<IMessage> AnswerAsync(Libp2pHost host, ChordNode node, IChordService chord, ReplicatedModelStore? store,
        ChordRequest request, Libp2pStream stream, CancellationToken ct)
    {
        switch (request.BodyCase)
        {
            case ChordRequest.BodyOneofCase.FindSuccessorStep:
                var step = await chord.FindSuccessorStepAsync(RingId.FromBigEndian(request.FindSuccessorStep.Key.Span), ct).ConfigureAwait(false);
                var answer = new LookupStepAnswer { Done = step.Done };
                answer.Successors.AddRange(step.Successors.Select(WireFormat.ToWire));
                answer.NextHops.AddRange(step.NextHops.Select(WireFormat.ToWire));
                return new ChordResponse { LookupStep = answer };
            case ChordRequest.BodyOneofCase.GetNeighbors:
                var neighbors = await chord.GetNeighborsAsync(ct).ConfigureAwait(false);
                var wire = new NeighborsAnswer { Predecessor = WireFormat.ToWireOptional(neighbors.Predecessor) };
                wire.Successors.AddRange(neighbors.Successors.Select(WireFormat.ToWire));
                return new ChordResponse { Neighbors = wire };
            case ChordRequest.BodyOneofCase.Notify:
                var listen = request.Notify.ListenAddrs.Take(8).Select(bytes => Multiaddr.FromBytes(bytes.Span).WithoutPeerId()).ToArray();
                if (listen.Length > 0) host.PeerStore.AddAddresses(stream.RemotePeer, listen);
                await chord.NotifyAsync(Caller(host, stream), ct).ConfigureAwait(false);
                return new ChordResponse { Ack = new Empty() };
            case ChordRequest.BodyOneofCase.Ping:
                return new ChordResponse { Ack = new Empty() };
            case ChordRequest.BodyOneofCase.Leaving:
                var leaving = request.Leaving;
                await chord.LeavingAsync(Caller(host, stream), WireFormat.FromWireOptional(leaving.Predecessor),
                    WireFormat.FromWire(leaving.Successors, Libp2pRingTransport.MaxListLength), ct).ConfigureAwait(false);
                return new ChordResponse { Ack = new Empty() };
            case ChordRequest.BodyOneofCase.HasBlob:
                return new ChordResponse { HasBlob = store is not null && store.Local.Contains(ContentId.FromBytes(request.HasBlob.Cid.Span)) };
            case ChordRequest.BodyOneofCase.GetView:
                var view = node.Snapshot();
                var viewAnswer = new ViewAnswer
                {
                    Self = WireFormat.ToWire(view.Self),
                    Predecessor = WireFormat.ToWireOptional(view.Predecessor),
                };
                viewAnswer.Successors.AddRange(view.Successors.Select(WireFormat.ToWire));
                viewAnswer.Fingers.AddRange(view.DistinctFingers.Select(f => new Finger { Index = (uint)f.Index, Node = WireFormat.ToWire(f.Node) }));
                return new ChordResponse { View = viewAnswer };
            default:
                return new ChordResponse { Error = $"unknown request {request.BodyCase}" };
        }
    }

    private static NodeRef Caller(Libp2pHost host, Libp2pStream stream) =>
        new(stream.RemotePeer, host.PeerStore.GetAddresses(stream.RemotePeer).Select(a => a.WithoutPeerId().ToString()).Distinct().Take(8).ToArray());

    /// <summary>Serves blobs through <see cref="IBlobStore.TryRead"/>, so a corrupt file is never sent.</summary>
    private sealed class VerifiedBlobSource(IBlobStore store, ModelStoreCounters counters) : IBlobSource
    {
        public ValueTask<BlobContent?> TryOpenAsync(ContentId id, CancellationToken ct)
        {
            var content = store.TryRead(id);
            if (content is not null) counters.RecordServed(content.Length);
            return ValueTask.FromResult(content is null ? null : new BlobContent(content.Length, new MemoryStream(content, writable: false)));
        }
    }
}
