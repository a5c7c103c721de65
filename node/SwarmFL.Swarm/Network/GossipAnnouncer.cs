using Google.Protobuf;
using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub;
using SwarmFL.Swarm.Ports;
using Wire = SwarmFL.Swarm.Network.Messages;

namespace SwarmFL.Swarm.Network;

/// <summary>Publishes model hashes and metrics on the swarm's gossip topic, and reads those of the other members.</summary>
public sealed class GossipAnnouncer(GossipSub gossip, string topic, Serilog.ILogger? log = null) : IModelAnnouncer
{
    private readonly Serilog.ILogger _log = (log ?? Serilog.Log.Logger).ForContext<GossipAnnouncer>();

    public static string TopicFor(EthereumAddress contract) => $"swarmfl/{contract.ToString().ToLowerInvariant()}/models";

    /// <summary>The announcement as it travels on the topic.</summary>
    public static byte[] Encode(ModelAnnouncement announcement)
    {
        var wire = new Wire.ModelAnnouncement
        {
            Kind = (Wire.ModelAnnouncement.Types.Kind)(int)announcement.Kind,
            Round = announcement.Round,
            Cluster = (uint)announcement.Cluster,
            ModelDigest = ByteString.CopyFrom(announcement.Model.Digest),
            Samples = announcement.Samples,
            Accuracy = announcement.Accuracy,
        };
        if (announcement.Leader is { } leader) wire.Leader = ByteString.CopyFrom(leader.Bytes);
        if (announcement.Signature is { } signature) wire.Signature = ByteString.CopyFrom(signature);
        return wire.ToByteArray();
    }

    public async Task AnnounceAsync(ModelAnnouncement announcement, CancellationToken ct)
    {
        try
        {
            await gossip.PublishAsync(topic, Encode(announcement), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Gossip is advisory (the chain has the record); a publish with no peers yet is not an error for the round.
            _log.Debug("Announcement of {Model} not published: {Reason}", announcement.Model, e.Message);
        }
    }

    /// <summary>Decodes an announcement; null (and the validator rejects it) when it is malformed.</summary>
    public static (ModelAnnouncement Announcement, PeerId From)? TryDecode(PubSubMessage message)
    {
        try
        {
            var wire = Wire.ModelAnnouncement.Parser.ParseFrom(message.Data.Span);
            if (wire.ModelDigest.Length != 32 || !Enum.IsDefined((AnnouncementKind)(int)wire.Kind) || double.IsNaN(wire.Accuracy)) return null;
            var kind = (AnnouncementKind)(int)wire.Kind;
            var endorsement = kind == AnnouncementKind.Endorsement;
            // An endorsement carries exactly a leader and a signature; nothing else carries either.
            var expected = endorsement ? (EthereumAddress.Size, MergeEndorsement.SignatureSize) : (0, 0);
            if ((wire.Leader.Length, wire.Signature.Length) != expected) return null;
            return (new ModelAnnouncement(kind, wire.Round, (int)wire.Cluster, ContentId.FromDigest(wire.ModelDigest.Span), wire.Samples, wire.Accuracy)
            {
                Leader = endorsement ? EthereumAddress.FromBytes(wire.Leader.Span) : null,
                Signature = endorsement ? wire.Signature.ToByteArray() : null,
            }, message.From);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
