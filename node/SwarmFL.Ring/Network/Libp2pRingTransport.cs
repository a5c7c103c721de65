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
/// The Chord RPCs and replica transfers over libp2p: /swarmfl/chord/1.0.0 (protobuf request/response),
/// /swarmfl/ring-store/1.0.0 to hand a replica over, and /swarmfl/model/1.0.0 to fetch one. Every call has a deadline;
/// a peer that cannot be dialed, resets the stream or misses the deadline is unreachable, a peer that answers with
/// something undecodable gives an invalid answer — the Chord node counts both against it.
/// </summary>
public sealed class Libp2pRingTransport(Libp2pHost host, TimeSpan timeout, ILogger? logger = null) : IChordTransport, IBlobTransport
{
    public const string ChordProtocol = "/swarmfl/chord/1.0.0";
    public const string StoreProtocol = "/swarmfl/ring-store/1.0.0";
    public const int MaxChordMessage = 256 * 1024;
    public const int MaxListLength = 64;
    public static long MaxModelBytes { get; set; } = 256L * 1024 * 1024;

    private readonly ILogger _log = logger ?? Log.ForContext<Libp2pRingTransport>();

    public async Task<LookupStep> FindSuccessorStepAsync(NodeRef target, RingId key, CancellationToken ct)
    {
        var response = await CallAsync(target, new ChordRequest { FindSuccessorStep = new FindSuccessorStep { Key = ByteString.CopyFrom(key.ToBytes()) } }, ct);
        if (response.BodyCase != ChordResponse.BodyOneofCase.LookupStep) throw Unexpected(target, response);
        var step = response.LookupStep;
        return step.Done
            ? LookupStep.Found(WireFormat.FromWire(step.Successors, MaxListLength))
            : LookupStep.Forward(WireFormat.FromWire(step.NextHops, MaxListLength));
    }

    public async Task<Neighbors> GetNeighborsAsync(NodeRef target, CancellationToken ct)
    {
        var response = await CallAsync(target, new ChordRequest { GetNeighbors = new Empty() }, ct);
        if (response.BodyCase != ChordResponse.BodyOneofCase.Neighbors) throw Unexpected(target, response);
        return new Neighbors(WireFormat.FromWireOptional(response.Neighbors.Predecessor), WireFormat.FromWire(response.Neighbors.Successors, MaxListLength));
    }

    public async Task NotifyAsync(NodeRef target, CancellationToken ct)
    {
        var notify = new Notify();
        foreach (var address in host.ListenAddresses) notify.ListenAddrs.Add(ByteString.CopyFrom(address.WithoutPeerId().ToBytes()));
        var response = await CallAsync(target, new ChordRequest { Notify = notify }, ct);
        if (response.BodyCase != ChordResponse.BodyOneofCase.Ack) throw Unexpected(target, response);
    }

    public async Task PingAsync(NodeRef target, CancellationToken ct)
    {
        var response = await CallAsync(target, new ChordRequest { Ping = new Empty() }, ct);
        if (response.BodyCase != ChordResponse.BodyOneofCase.Ack) throw Unexpected(target, response);
    }

    public async Task LeavingAsync(NodeRef target, NodeRef? predecessor, IReadOnlyList<NodeRef> successors, CancellationToken ct)
    {
        var leaving = new Leaving { Predecessor = WireFormat.ToWireOptional(predecessor) };
        leaving.Successors.AddRange(successors.Select(WireFormat.ToWire));
        var response = await CallAsync(target, new ChordRequest { Leaving = leaving }, ct);
        if (response.BodyCase != ChordResponse.BodyOneofCase.Ack) throw Unexpected(target, response);
    }

    /// <summary>`ring show`: a node's whole view, fingers included.</summary>
    public async Task<ViewAnswer> GetViewAsync(NodeRef target, CancellationToken ct)
    {
        var response = await CallAsync(target, new ChordRequest { GetView = new Empty() }, ct);
        if (response.BodyCase != ChordResponse.BodyOneofCase.View) throw Unexpected(target, response);
        return response.View;
    }

    public async Task<bool> HasAsync(NodeRef target, ContentId cid, CancellationToken ct)
    {
        var response = await CallAsync(target, new ChordRequest { HasBlob = new BlobId { Cid = ByteString.CopyFrom(cid.ToBytes()) } }, ct);
        if (response.BodyCase != ChordResponse.BodyOneofCase.HasBlob) throw Unexpected(target, response);
        return response.HasBlob;
    }

    public Task<byte[]?> FetchAsync(NodeRef target, ContentId cid, CancellationToken ct) => FetchAsync(target, cid, null, ct);

    public async Task<byte[]?> FetchAsync(NodeRef target, ContentId cid, IProgress<long>? received, CancellationToken ct)
    {
        Remember(target);
        using var deadline = Deadline(ct, scale: 6);
        try
        {
            return await ModelProtocol.FetchAsync(host, target.Peer, cid, MaxModelBytes, deadline.Token, received);
        }
        catch (BlobNotFoundException) { return null; }
        catch (ContentMismatchException e)
        {
            _log.Warning("{Peer} served bytes that do not match {Cid}: {Reason}", target, cid, e.Message);
            return null;
        }
        catch (Exception e) when (IsTransportFailure(e, ct)) { throw Unreachable(target, e); }
    }

    public async Task<bool> StoreAsync(NodeRef target, ContentId cid, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        Remember(target);
        using var deadline = Deadline(ct, scale: 6);
        try
        {
            var request = new StoreRequest { Cid = ByteString.CopyFrom(cid.ToBytes()), Content = ByteString.CopyFrom(content.Span) };
            var response = await RequestResponse.SendAsync(host, target.Peer, StoreProtocol, request, StoreResponse.Parser, deadline.Token, 4096);
            return response.Accepted;
        }
        catch (Exception e) when (IsTransportFailure(e, ct)) { throw Unreachable(target, e); }
    }

    private async Task<ChordResponse> CallAsync(NodeRef target, ChordRequest request, CancellationToken ct)
    {
        Remember(target);
        using var deadline = Deadline(ct, scale: 1);
        ChordResponse response;
        try
        {
            response = await RequestResponse.SendAsync(host, target.Peer, ChordProtocol, request, ChordResponse.Parser, deadline.Token, MaxChordMessage);
        }
        catch (SwarmFL.P2P.Framing.ProtocolViolationException e) when (e.InnerException is InvalidProtocolBufferException)
        {
            throw new InvalidAnswerException($"{target} sent a malformed answer: {e.Message}", e);
        }
        catch (Exception e) when (IsTransportFailure(e, ct)) { throw Unreachable(target, e); }
        if (response.BodyCase == ChordResponse.BodyOneofCase.Error) throw new InvalidAnswerException($"{target} refused: {response.Error}");
        return response;
    }

    private void Remember(NodeRef target)
    {
        var addresses = target.Addresses.Select(text => Multiaddr.TryParse(text, out var parsed, out _) ? parsed : null).OfType<Multiaddr>().ToArray();
        if (addresses.Length > 0) host.PeerStore.AddAddresses(target.Peer, addresses);
    }

    private CancellationTokenSource Deadline(CancellationToken ct, int scale)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(ct);
        source.CancelAfter(timeout * scale);
        return source;
    }

    private static bool IsTransportFailure(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is IOException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException;

    private static PeerUnreachableException Unreachable(NodeRef target, Exception e) => new(target, $"{target}: {e.Message}", e);

    private static InvalidAnswerException Unexpected(NodeRef target, ChordResponse response) =>
        new($"{target} answered with {response.BodyCase}, not what was asked");
}
