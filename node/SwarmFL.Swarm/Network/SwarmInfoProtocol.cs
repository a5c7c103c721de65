using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Protocols.RequestResponse;
using SwarmFL.Swarm.Network.Messages;

namespace SwarmFL.Swarm.Network;

/// <summary>`/swarmfl/swarm/1.0.0`: one request, one SwarmInfo answer.</summary>
public static class SwarmInfoProtocol
{
    public const string ProtocolId = "/swarmfl/swarm/1.0.0";
    private const int MaxInfoBytes = 64 * 1024;

    public static void Serve(Libp2pHost host, Func<SwarmInfo> describe) =>
        RequestResponse.Handle(host, ProtocolId, SwarmInfoRequest.Parser, (_, _, _) => Task.FromResult<Google.Protobuf.IMessage>(describe()), 1024);

    public static Task<SwarmInfo> AskAsync(Libp2pHost host, PeerId peer, CancellationToken ct) =>
        RequestResponse.SendAsync(host, peer, ProtocolId, new SwarmInfoRequest(), SwarmInfo.Parser, ct, MaxInfoBytes);
}
