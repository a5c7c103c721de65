using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Ports;

/// <summary>Gossip of model hashes and validation metrics on the swarm's topic. Weights never travel by gossip.</summary>
public interface IModelAnnouncer
{
    Task AnnounceAsync(ModelAnnouncement announcement, CancellationToken ct);
}

public enum AnnouncementKind { LocalUpdate, ClusterMerge, SemiGlobal, Validation }

public sealed record ModelAnnouncement(AnnouncementKind Kind, ulong Round, int Cluster, ContentId Model, ulong Samples, double Accuracy);
