using System.Numerics;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Crypto;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Tests.Identifiers;

public class RingIdTests
{
    internal static readonly BigInteger Modulus = BigInteger.One << 256;

    internal static BigInteger ToBig(RingId id) => new(id.ToBytes(), isUnsigned: true, isBigEndian: true);

    internal static RingId FromBig(BigInteger value)
    {
        value = ((value % Modulus) + Modulus) % Modulus;
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[32];
        bytes.CopyTo(padded, 32 - bytes.Length);
        return RingId.FromBigEndian(padded);
    }

    [Fact]
    public void Addition_wraps_past_the_top_of_the_ring()
    {
        Assert.Equal(RingId.Zero, RingId.MaxValue + FromBig(1));
        Assert.Equal(FromBig(4), FromBig(Modulus - 3) + FromBig(7));
        Assert.Equal(RingId.MaxValue, RingId.Zero - FromBig(1));
        // carry from the low 128 bits into the high ones
        Assert.Equal(FromBig(BigInteger.One << 128), FromBig((BigInteger.One << 128) - 1) + FromBig(1));
    }

    [Fact]
    public void Powers_of_two_cover_every_finger_and_reject_the_rest()
    {
        for (var i = 0; i < 256; i++) Assert.Equal(BigInteger.One << i, ToBig(RingId.PowerOfTwo(i)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingId.PowerOfTwo(256));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingId.PowerOfTwo(-1));
    }

    [Fact]
    public void Arithmetic_and_order_match_big_integers_mod_2_pow_256() =>
        Prop.ForAll(Generators.Bytes(32), Generators.Bytes(32), (a, b) =>
        {
            var x = RingId.FromBigEndian(a.AsSpan(0, 32));
            var y = RingId.FromBigEndian(b.AsSpan(0, 32));
            var bx = ToBig(x);
            var by = ToBig(y);
            return ToBig(x + y) == (bx + by) % Modulus
                && ToBig(x - y) == ((bx - by) % Modulus + Modulus) % Modulus
                && Math.Sign(x.CompareTo(y)) == bx.CompareTo(by)
                && RingId.Parse(x.ToString()) == x;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void A_peer_sits_at_sha256_of_its_peer_id_bytes()
    {
        var peer = NodeKey.FromHex("0x" + new string('1', 64)).PeerId;
        Assert.Equal(39, peer.Bytes.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(peer.ToBytes())), RingId.Of(peer).ToString());
    }

    [Fact]
    public void A_model_sits_at_its_content_digest()
    {
        var cid = ContentId.Of("model"u8);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("model"u8)), RingId.Of(cid).ToString());
    }

    [Fact]
    public void Parsing_rejects_wrong_lengths_and_non_hex()
    {
        Assert.Throws<FormatException>(() => RingId.Parse("abcd"));
        Assert.Throws<FormatException>(() => RingId.Parse(new string('g', 64)));
        Assert.Throws<FormatException>(() => RingId.FromBigEndian(new byte[31]));
    }
}
