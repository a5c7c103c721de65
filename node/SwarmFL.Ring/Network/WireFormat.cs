using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Network.Messages;

namespace SwarmFL.Ring.Network;

/// <summary>NodeRef ⇄ PeerInfo. Decoding treats every field as hostile: a bad PeerId or address is an invalid answer.</summary>
internal static class WireFormat
{
    public static PeerInfo ToWire(NodeRef node)
    {
        var info = new PeerInfo { PeerId = ByteString.CopyFrom(node.Peer.Bytes) };
        foreach (var address in node.Addresses)
        {
            if (Multiaddr.TryParse(address, out var parsed, out _)) info.Addrs.Add(ByteString.CopyFrom(parsed.WithoutPeerId().ToBytes()));
        }
        return info;
    }

    public static PeerInfo? ToWireOptional(NodeRef? node) => node is null ? null : ToWire(node);

    public static NodeRef FromWire(PeerInfo? info)
    {
        if (info is null) throw new InvalidAnswerException("missing peer");
        try
        {
            var peer = PeerId.FromBytes(info.PeerId.Span);
            var addresses = info.Addrs.Take(8).Select(bytes => Multiaddr.FromBytes(bytes.Span).WithoutPeerId().ToString()).ToArray();
            return new NodeRef(peer, addresses);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidAnswerException($"malformed peer in answer: {e.Message}", e);
        }
    }

    public static NodeRef? FromWireOptional(PeerInfo? info) => info is null || info.PeerId.IsEmpty ? null : FromWire(info);

    public static IReadOnlyList<NodeRef> FromWire(IEnumerable<PeerInfo> infos, int maxCount)
    {
        var list = infos.ToList();
        if (list.Count > maxCount) throw new InvalidAnswerException($"{list.Count} peers in one answer, more than {maxCount}");
        return list.Select(FromWire).ToArray();
    }
}
