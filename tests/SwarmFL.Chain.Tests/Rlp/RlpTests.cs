using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Chain.Rlp;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Tests.Rlp;

public class RlpTests
{
    private static Gen<RlpItem> ItemGen(int size)
    {
        var bytes = ArbMap.Default.GeneratorFor<byte[]>();
        var longBytes = Gen.Choose(50, 1200).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));
        var leaf = Gen.Frequency((5, bytes), (1, longBytes)).Select(b => (RlpItem)new RlpItem.String(b));
        if (size <= 1) return leaf;
        var list = Gen.Choose(0, 6).SelectMany(n => Gen.ListOf(ItemGen(size / 3), n))
            .Select(items => (RlpItem)new RlpItem.List(items.ToArray()));
        return Gen.Frequency((2, leaf), (1, list));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property EncodeThenDecodeGivesTheSameItem() =>
        Prop.ForAll(Gen.Sized(s => ItemGen(Math.Min(s, 30))).ToArbitrary(), item =>
            RlpDecoder.Decode(RlpEncoder.Encode(item)).Equals(item));

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool IntegersRoundTripWithoutLeadingZeros(ulong value)
    {
        var encoded = RlpEncoder.EncodeUInt(value);
        var decoded = RlpDecoder.Decode(encoded);
        var payload = decoded.AsString().Bytes.Span;
        return decoded.AsUInt64() == value && (payload.Length == 0 || payload[0] != 0)
               && RlpEncoder.EncodeUInt(new System.Numerics.BigInteger(value)).AsSpan().SequenceEqual(encoded);
    }

    [Theory]
    // Yellow-paper examples, written from their definitions: "dog", ["cat","dog"], "", [], 0, 15, 1024.
    [InlineData("0x83646f67")]
    [InlineData("0xc88363617483646f67")]
    [InlineData("0x80")]
    [InlineData("0xc0")]
    [InlineData("0x0f")]
    [InlineData("0x820400")]
    public void CanonicalEncodingsReencodeIdentically(string hex)
    {
        var bytes = Hex.Decode(hex);
        Assert.Equal(bytes, RlpEncoder.Encode(RlpDecoder.Decode(bytes)));
    }

    [Theory]
    [InlineData("0x", "truncated")]
    [InlineData("0x8105", "non-canonical single byte")]
    [InlineData("0x8100", "non-canonical single byte")]
    [InlineData("0xb80102", "non-canonical long form")]
    [InlineData("0xb90000", "leading zero")]
    [InlineData("0xf800", "leading zero")]
    [InlineData("0x83646f", "truncated")]
    [InlineData("0xc3836361", "truncated")]
    [InlineData("0xb8", "truncated length")]
    [InlineData("0x83646f6700", "trailing bytes")]
    [InlineData("0xc2c3", "truncated")]
    [InlineData("0xbc7fffffffff", "too large")]
    public void NonCanonicalOrTruncatedInputIsAFormatException(string hex, string expectedError)
    {
        var e = Assert.Throws<FormatException>(() => RlpDecoder.Decode(Hex.Decode(hex)));
        Assert.Contains(expectedError, e.Message);
    }

    [Fact]
    public void IntegersWithLeadingZerosAreRejected()
    {
        var item = RlpDecoder.Decode(Hex.Decode("0x820001"));
        Assert.Contains("leading zero", Assert.Throws<FormatException>(() => item.AsUInt()).Message);
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public bool RandomBytesNeverCrashTheDecoder(byte[] input)
    {
        try
        {
            var item = RlpDecoder.Decode(input);
            // Whatever strict decoding accepts must be canonical: it re-encodes to the same bytes.
            return RlpEncoder.Encode(item).AsSpan().SequenceEqual(input);
        }
        catch (FormatException)
        {
            return true;
        }
    }
}
