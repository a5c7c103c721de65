using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Ports;

/// <summary>Gossip of model hashes and validation metrics on the swarm's topic. Weights never travel by gossip.</summary>
public interface IModelAnnouncer
{
    Task AnnounceAsync(ModelAnnouncement announcement, CancellationToken ct);
}

/// <summary>What an announcement says of its model. <see cref="Endorsement"/>: the sender recomputed <see cref="ModelAnnouncement.Leader"/>'s
/// merge of the cluster to this model, and <see cref="ModelAnnouncement.Signature"/> is its endorsement for the chain.</summary>
public enum AnnouncementKind { LocalUpdate, ClusterMerge, SemiGlobal, Validation, Endorsement }

public sealed record ModelAnnouncement(AnnouncementKind Kind, ulong Round, int Cluster, ContentId Model, ulong Samples, double Accuracy)
{
    /// <summary>Endorsement only: whose merge is endorsed.</summary>
    public EthereumAddress? Leader { get; init; }

    /// <summary>Endorsement only: the 65-byte signature the contract's endorseMerge takes.</summary>
    public byte[]? Signature { get; init; }
}
