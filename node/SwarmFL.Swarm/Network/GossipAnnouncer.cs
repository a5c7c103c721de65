using Google.Protobuf;
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

    public async Task AnnounceAsync(ModelAnnouncement announcement, CancellationToken ct)
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
        try
        {
            await gossip.PublishAsync(topic, wire.ToByteArray(), ct);
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
            return (new ModelAnnouncement((AnnouncementKind)(int)wire.Kind, wire.Round, (int)wire.Cluster,
                ContentId.FromDigest(wire.ModelDigest.Span), wire.Samples, wire.Accuracy), message.From);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
