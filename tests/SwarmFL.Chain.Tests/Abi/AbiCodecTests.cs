using System.Numerics;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Tests.Abi;

public class AbiCodecTests
{
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool EncodeThenDecodeGivesTheSameValues(int seed)
    {
        var generator = new AbiValueGenerator(seed);
        var types = Enumerable.Range(0, 1 + Math.Abs(seed % 4)).Select(_ => generator.NextType()).ToArray();
        var values = types.Select(generator.NextValue).ToArray();
        var encoded = AbiEncoder.Encode(types, values);
        var decoded = AbiDecoder.Decode(types, encoded);
        return encoded.Length % 32 == 0 && AbiValueGenerator.StructurallyEqual(values, decoded);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool CorruptedEncodingsNeverCrashTheDecoder(int seed, byte[] noise, int position)
    {
        var generator = new AbiValueGenerator(seed);
        var type = generator.NextType();
        var encoded = AbiEncoder.Encode(AbiType.Tuple(type), new object?[] { generator.NextValue(type) });
        if (encoded.Length > 0 && noise.Length > 0)
        {
            var at = Math.Abs(position % encoded.Length);
            noise.AsSpan(0, Math.Min(noise.Length, encoded.Length - at)).CopyTo(encoded.AsSpan(at));
        }
        try
        {
            AbiDecoder.Decode(AbiType.Tuple(type), encoded.AsSpan(0, Math.Abs(position % (encoded.Length + 1))));
            AbiDecoder.Decode(AbiType.Tuple(type), encoded);
        }
        catch (FormatException)
        {
        }
        return true; // reaching here without another exception type is the property
    }

    [Fact]
    public void HugeLengthsAreRejectedBeforeAllocation()
    {
        var data = new byte[64];
        data[31] = 0x20; // offset of the bytes
        data[32] = 0x7f; // length ≈ 2^255
        var e = Assert.Throws<FormatException>(() => AbiDecoder.Decode([AbiType.Bytes], data));
        Assert.Contains("exceeds", e.Message);
        var array = new byte[64];
        array[31] = 0x20;
        array[63] = 0xff; // 255 elements but no data for them
        Assert.Throws<FormatException>(() => AbiDecoder.Decode([AbiType.ArrayOf(AbiType.UInt256)], array));
    }

    [Fact]
    public void OverlappingOffsetsCannotExpandSmallDataWithoutLimit()
    {
        // uint256[][] with n outer elements that all point at one inner array of n elements: n² values from O(n) words.
        const int n = 2000;
        var words = new List<System.Numerics.BigInteger> { 0x20, n };
        var innerOffset = 32 * n; // relative to the start of the outer elements
        for (var i = 0; i < n; i++) words.Add(innerOffset);
        words.Add(n);
        for (var i = 0; i < n; i++) words.Add(i);
        var data = words.SelectMany(w => AbiEncoder.Encode(AbiType.UInt256, w)).ToArray();
        var e = Assert.Throws<FormatException>(() => AbiDecoder.Decode([AbiType.Parse("uint256[][]")], data));
        Assert.Contains("overlapping offsets", e.Message);

        // The same shape without the overlap decodes.
        var honest = new object[] { Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, 50).Select(i => (object)i).ToArray()).ToArray() };
        Assert.Equal(50, ((object?[])AbiDecoder.Decode([AbiType.Parse("uint256[][]")], AbiEncoder.Encode([AbiType.Parse("uint256[][]")], honest))[0]!).Length);
    }

    [Fact]
    public void DirtyPaddingAndOutOfRangeValuesAreRejected()
    {
        var word = new byte[32];
        word[0] = 1;
        Assert.Contains("high bytes", Assert.Throws<FormatException>(() => AbiDecoder.Decode(AbiType.Address, word)).Message);
        Assert.Contains("does not fit", Assert.Throws<FormatException>(() => AbiDecoder.Decode(AbiType.UInt(8), word)).Message);
        Assert.Contains("not 0 or 1", Assert.Throws<FormatException>(() => AbiDecoder.Decode(AbiType.Bool, word)).Message);
        var fixedBytes = new byte[32];
        fixedBytes[31] = 9;
        Assert.Contains("padding", Assert.Throws<FormatException>(() => AbiDecoder.Decode(AbiType.FixedBytes(4), fixedBytes)).Message);
    }

    [Fact]
    public void EncodingRejectsValuesThatDoNotFit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AbiEncoder.Encode(AbiType.UInt(8), 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => AbiEncoder.Encode(AbiType.Int(8), -129));
        Assert.Throws<ArgumentOutOfRangeException>(() => AbiEncoder.Encode(AbiType.UInt256, BigInteger.MinusOne));
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Bytes32, new byte[31]));
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.ArrayOf(AbiType.Bool, 2), new object[] { true }));
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.String, 5));
    }

    [Fact]
    public void SelectorsAndTopicsAreKeccakOfTheCanonicalSignature()
    {
        var transfer = AbiFunction.Parse("transfer(address to, uint amount)");
        Assert.Equal("transfer(address,uint256)", transfer.Signature);
        Assert.Equal(Keccak256.Hash("transfer(address,uint256)")[..4], transfer.Selector);
        var ev = AbiEvent.Parse("Transfer(address indexed from, address indexed to, uint256 value)");
        Assert.Equal(Keccak256.Hash("Transfer(address,address,uint256)"), ev.Topic0);
    }

    [Fact]
    public void EventDecodingTakesIndexedValuesFromTopicsAndTheRestFromData()
    {
        var ev = AbiEvent.Parse("Published(uint64 indexed round, string indexed label, bytes32 modelId, bytes32[] inputs)");
        var modelId = Keccak256.Hash("m");
        var inputs = new object[] { Keccak256.Hash("a"), Keccak256.Hash("b") };
        var labelHash = Keccak256.Hash("cluster-7");
        var topics = new List<byte[]> { ev.Topic0, AbiEncoder.Encode(AbiType.UInt(64), 42), labelHash };
        var data = AbiEncoder.Encode([AbiType.Bytes32, AbiType.ArrayOf(AbiType.Bytes32)], [modelId, inputs]);
        var values = ev.Decode(topics, data);
        Assert.Equal(new BigInteger(42), values[0]);
        Assert.Equal(labelHash, values[1]);
        Assert.Equal(modelId, values[2]);
        Assert.True(AbiValueGenerator.StructurallyEqual(inputs, values[3]));
        Assert.Throws<FormatException>(() => ev.Decode(topics.Take(2).ToList(), data));
    }

    [Fact]
    public void RevertReasonsDecodeCustomErrorsErrorStringAndPanic()
    {
        var member = EthereumAddress.Parse("0x000000000000000000000000000000000000dEaD");
        var alreadyCommitted = AbiError.Parse("AlreadyCommitted(uint64 round, address member)");
        var reason = RevertReason.Decode(alreadyCommitted.Encode(3, member), [alreadyCommitted]);
        Assert.Equal($"AlreadyCommitted(round: 3, member: {member})", reason.ToString());

        Assert.Equal("Error(\"nope\")", RevertReason.Decode(AbiError.ErrorString.Encode("nope")).ToString());
        Assert.StartsWith("Panic(0x11: arithmetic overflow", RevertReason.Decode(AbiError.Panic.Encode(0x11)).ToString());
        Assert.Equal("reverted without data", RevertReason.Decode([]).ToString());
        Assert.Contains("unknown data 0xdeadbeef", RevertReason.Decode(Hex.Decode("0xdeadbeef")).ToString());
        // A known selector with garbage arguments is reported raw rather than half-decoded.
        Assert.False(RevertReason.Decode(alreadyCommitted.Selector, [alreadyCommitted]).IsDecoded);
    }
}
