using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub;
using SwarmFL.Swarm.Network;
using SwarmFL.Swarm.Ports;
using Wire = SwarmFL.Swarm.Network.Messages;

namespace SwarmFL.Swarm.Tests.Network;

/// <summary>Endorsements on the swarm's topic: they decode to what was sent, and a malformed one is refused, never half-read.</summary>
public sealed class EndorsementGossipTests
{
    private static readonly NodeKey Sender = NodeKey.Generate();

    private static PubSubMessage Message(byte[] data) => new("t", data, Sender.PeerId, 1, new MessageId([1]), Sender.PeerId);

    [Property(MaxTest = 200)]
    public bool An_endorsement_decodes_to_what_was_sent(ulong round, ushort cluster, byte[] digestSeed, byte[] leaderSeed)
    {
        var model = ContentId.FromDigest(System.Security.Cryptography.SHA256.HashData(digestSeed ?? []));
        var leader = EthereumAddress.FromBytes(Keccak256.Hash(leaderSeed ?? [])[..20]);
        var signature = MergeEndorsement.Sign(Sender, MergeEndorsement.Digest(31337, leader, round, cluster, leader));
        var sent = new ModelAnnouncement(AnnouncementKind.Endorsement, round, cluster, model, 0, 0) { Leader = leader, Signature = signature };

        var (got, from) = GossipAnnouncer.TryDecode(Message(GossipAnnouncer.Encode(sent)))!.Value;
        return from == Sender.PeerId && got.Kind == AnnouncementKind.Endorsement && got.Round == round && got.Cluster == cluster
            && got.Model == model && got.Leader == leader && got.Signature!.AsSpan().SequenceEqual(signature);
    }

    [Property(MaxTest = 200)]
    public Property An_endorsement_without_exactly_a_leader_and_a_signature_is_refused() =>
        Prop.ForAll(Gen.Choose(0, 80).ToArbitrary(), Gen.Choose(0, 80).ToArbitrary(), (leaderLength, signatureLength) =>
        {
            var wire = new Wire.ModelAnnouncement
            {
                Kind = Wire.ModelAnnouncement.Types.Kind.Endorsement,
                ModelDigest = ByteString.CopyFrom(new byte[32]),
                Leader = ByteString.CopyFrom(new byte[leaderLength]),
                Signature = ByteString.CopyFrom(new byte[signatureLength]),
            };
            var decoded = GossipAnnouncer.TryDecode(Message(wire.ToByteArray()));
            return (decoded is not null) == (leaderLength == 20 && signatureLength == 65);
        });

    [Theory]
    [InlineData(Wire.ModelAnnouncement.Types.Kind.LocalUpdate)]
    [InlineData(Wire.ModelAnnouncement.Types.Kind.ClusterMerge)]
    [InlineData(Wire.ModelAnnouncement.Types.Kind.Validation)]
    public void Only_an_endorsement_carries_a_leader_or_a_signature(Wire.ModelAnnouncement.Types.Kind kind)
    {
        var plain = new Wire.ModelAnnouncement { Kind = kind, ModelDigest = ByteString.CopyFrom(new byte[32]) };
        Assert.NotNull(GossipAnnouncer.TryDecode(Message(plain.ToByteArray())));
        var withLeader = plain.Clone();
        withLeader.Leader = ByteString.CopyFrom(new byte[20]);
        Assert.Null(GossipAnnouncer.TryDecode(Message(withLeader.ToByteArray())));
        var withSignature = plain.Clone();
        withSignature.Signature = ByteString.CopyFrom(new byte[65]);
        Assert.Null(GossipAnnouncer.TryDecode(Message(withSignature.ToByteArray())));
    }

    [Fact]
    public void A_signature_recovers_to_its_signer_only_over_the_digest_it_signed()
    {
        var leader = NodeKey.Generate().Address;
        var digest = MergeEndorsement.Digest(31337, leader, 3, 1, leader);
        var signature = MergeEndorsement.Sign(Sender, digest);
        Assert.Equal(Sender.Address, MergeEndorsement.SignerOf(digest, signature));
        Assert.NotEqual(Sender.Address, MergeEndorsement.SignerOf(MergeEndorsement.Digest(31337, leader, 4, 1, leader), signature));
        Assert.NotEqual(Sender.Address, MergeEndorsement.SignerOf(MergeEndorsement.Digest(1, leader, 3, 1, leader), signature));
        var wrongV = (byte[])signature.Clone();
        wrongV[64] = 29;
        Assert.Null(MergeEndorsement.SignerOf(digest, wrongV));
        Assert.Null(MergeEndorsement.SignerOf(digest, signature[..64]));
        Assert.Null(MergeEndorsement.SignerOf(digest, new byte[65]));
    }
}
