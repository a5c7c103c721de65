using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;

namespace SwarmFL.P2P.Protocols.Identify;

/// <summary>What a peer told us about itself.</summary>
public sealed record IdentifyInfo(
    PeerId Peer,
    string? AgentVersion,
    string? ProtocolVersion,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<Multiaddr> ListenAddresses,
    Multiaddr? ObservedAddress);

/// <summary>
/// /ipfs/id/1.0.0 (libp2p/specs identify): the responder writes one varint-length-prefixed Identify message and
/// closes the stream. The identify public key must match the PeerId the noise handshake authenticated.
/// </summary>
public static class IdentifyProtocol
{
    public const string ProtocolId = "/ipfs/id/1.0.0";
    public const int MaxMessageSize = 64 * 1024;

    internal static async Task RespondAsync(Libp2pHost host, Libp2pStream stream, CancellationToken ct)
    {
        var message = new Messages.Identify.Identify
        {
            ProtocolVersion = host.Options.ProtocolVersion,
            AgentVersion = host.Options.AgentVersion,
            PublicKey = ByteString.CopyFrom(host.Identity.PublicKey.ToProtobuf()),
            ObservedAddr = ByteString.CopyFrom(stream.Connection.RemoteAddress.ToBytes()),
        };
        message.ListenAddrs.AddRange(host.ListenAddresses.Select(a => ByteString.CopyFrom(a.WithoutPeerId().ToBytes())));
        message.Protocols.AddRange(host.Resources.IsMember(stream.RemotePeer) ? host.Protocols : host.PublicProtocols);
        await LengthPrefixed.WriteAsync(stream, message.ToByteArray(), ct).ConfigureAwait(false);
        await stream.CloseWriteAsync().ConfigureAwait(false);
    }

    /// <summary>Identifies the peer at the other end of a connection and records the answer in the host's peer store.</summary>
    public static async Task<IdentifyInfo> RequestAsync(Libp2pHost host, Libp2pConnection connection, CancellationToken ct)
    {
        await using var stream = await host.OpenStreamAsync(connection, [ProtocolId], ct).ConfigureAwait(false);
        var info = await ReadAsync(stream, connection.RemotePeer, ct).ConfigureAwait(false);
        host.PeerStore.AddAddresses(info.Peer, info.ListenAddresses);
        host.PeerStore.SetIdentify(info.Peer, info.AgentVersion, info.Protocols);
        return info;
    }

    public static async Task<IdentifyInfo> RequestAsync(Libp2pHost host, PeerId peer, CancellationToken ct)
        => await RequestAsync(host, await host.ConnectAsync(peer, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    internal static async Task<IdentifyInfo> ReadAsync(Stream stream, PeerId remote, CancellationToken ct)
    {
        var bytes = await LengthPrefixed.ReadAsync(stream, MaxMessageSize, ct).ConfigureAwait(false)
            ?? throw new ProtocolViolationException("identify stream ended without a message");
        return Decode(bytes, remote);
    }

    /// <summary>Decodes and checks an Identify message; malformed addresses are skipped, a foreign key is an error.</summary>
    public static IdentifyInfo Decode(byte[] bytes, PeerId remote)
    {
        Messages.Identify.Identify message;
        try
        {
            message = Messages.Identify.Identify.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtocolViolationException($"malformed identify message: {e.Message}", e);
        }
        if (message.HasPublicKey)
        {
            Libp2pPublicKey key;
            try { key = Libp2pPublicKey.FromProtobuf(message.PublicKey.Span); }
            catch (FormatException e) { throw new ProtocolViolationException($"identify public key is malformed: {e.Message}", e); }
            if (!remote.Matches(key)) throw new ProtocolViolationException("identify public key does not match the authenticated peer");
        }
        var listen = new List<Multiaddr>();
        foreach (var raw in message.ListenAddrs)
        {
            try { listen.Add(Multiaddr.FromBytes(raw.Span)); }
            catch (FormatException) { /* addresses of transports we do not speak */ }
        }
        Multiaddr? observed = null;
        if (message.HasObservedAddr)
        {
            try { observed = Multiaddr.FromBytes(message.ObservedAddr.Span); }
            catch (FormatException) { }
        }
        return new IdentifyInfo(remote, message.HasAgentVersion ? message.AgentVersion : null, message.HasProtocolVersion ? message.ProtocolVersion : null,
            message.Protocols.ToArray(), listen, observed);
    }
}
