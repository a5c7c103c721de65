using FsCheck.Xunit;
using SwarmFL.Crypto;

namespace SwarmFL.Crypto.Tests;

/// <summary>PeerIds read off the wire are validated once and then reused; equality, hashing and text do not depend on that.</summary>
public class PeerIdTests
{
    [Fact]
    public void The_same_bytes_read_twice_give_an_equal_PeerId_with_the_same_hash_and_text()
    {
        var key = NodeKey.Generate();
        var bytes = key.PeerId.ToBytes();

        var first = PeerId.FromBytes(bytes);
        var second = PeerId.FromBytes(bytes);

        Assert.Equal(key.PeerId, first);
        Assert.Equal(first, second);
        Assert.Equal(key.PeerId.GetHashCode(), second.GetHashCode());
        Assert.Equal(key.PeerId.ToString(), second.ToString());
        Assert.Equal(first, PeerId.Parse(second.ToString()));
    }

    [Fact]
    public void An_invalid_id_is_refused_every_time_it_is_read()
    {
        // An identity multihash of a secp256k1 key protobuf whose 33-byte compressed key has the prefix 0x05: no point.
        var bytes = PeerId.FromPublicKey(NodeKey.Generate().PublicKey).ToBytes();
        bytes[^33] = 0x05;
        for (var i = 0; i < 2; i++) Assert.Throws<FormatException>(() => PeerId.FromBytes(bytes));
    }

    [Property(MaxTest = 200)]
    public bool Distinct_keys_give_distinct_ids_and_equal_ids_hash_equal(bool sameKey)
    {
        var a = NodeKey.Generate();
        var b = sameKey ? a : NodeKey.Generate();
        var idA = PeerId.FromBytes(a.PeerId.ToBytes());
        var idB = PeerId.FromBytes(b.PeerId.ToBytes());
        return sameKey ? idA == idB && idA.GetHashCode() == idB.GetHashCode() : idA != idB && idA.ToString() != idB.ToString();
    }
}
