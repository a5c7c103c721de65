using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.PubSub.Signing;

namespace SwarmFL.P2P.PubSub;

/// <summary>Runs the router over a <see cref="Libp2pHost"/>: real TCP, noise and yamux connections.</summary>
public sealed class HostPubSubNetwork : IPubSubNetwork
{
    private readonly Libp2pHost _host;

    public HostPubSubNetwork(Libp2pHost host)
    {
        _host = host;
        // Forward the host's events; the router's handlers only post to its event loop, so they never block the host.
        host.PeerConnected += peer => PeerConnected?.Invoke(peer);
        host.PeerDisconnected += peer => PeerDisconnected?.Invoke(peer);
    }

    public PeerId LocalPeerId => _host.LocalPeerId;
    public IReadOnlyCollection<PeerId> ConnectedPeers => _host.ConnectedPeers;

    public event Action<PeerId>? PeerConnected;
    public event Action<PeerId>? PeerDisconnected;

    public void SetStreamHandler(IReadOnlyList<string> protocols, Func<PubSubStream, CancellationToken, Task> handler)
    {
        foreach (var protocol in protocols)
            // Pubsub streams stay open and may be silent between heartbeats: no idle deadline. They stay public so
            // any libp2p peer can read our gossip; the validator decides whose messages count.
            _host.SetStreamHandler(protocol, (stream, ct) => handler(new PubSubStream(stream.RemotePeer, stream.Protocol, stream), ct),
                new StreamHandlerOptions { LongLived = true });
    }

    public async Task<PubSubStream> OpenStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        var stream = await _host.OpenStreamAsync(peer, protocols, cancellationToken).ConfigureAwait(false);
        return new PubSubStream(stream.RemotePeer, stream.Protocol, stream);
    }
}

/// <summary>Signs pubsub messages with the host's identity key (secp256k1 or Ed25519).</summary>
public sealed class IdentitySigner(IIdentity identity) : IPubSubSigner
{
    public PeerId PeerId => identity.PeerId;
    public byte[] Sign(ReadOnlySpan<byte> data) => identity.Sign(data);

    /// <summary>Identity PeerIds (secp256k1, Ed25519) inline the key; any other key travels in the key field.</summary>
    public byte[]? KeyField => identity.PeerId.TryGetPublicKey() is null ? identity.PublicKey.ToProtobuf() : null;
}

public static class GossipSubHostExtensions
{
    /// <summary>Starts a gossipsub router on <paramref name="host"/>, signing with the host's identity.</summary>
    public static GossipSub StartGossipSub(this Libp2pHost host, GossipSubOptions? options = null, Serilog.ILogger? logger = null) =>
        new(new HostPubSubNetwork(host), new IdentitySigner(host.Identity), options, logger);
}
