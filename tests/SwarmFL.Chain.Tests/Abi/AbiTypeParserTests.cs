using SwarmFL.Chain.Abi;

namespace SwarmFL.Chain.Tests.Abi;

public class AbiTypeParserTests
{
    [Theory]
    [InlineData("uint256", "uint256")]
    [InlineData("uint", "uint256")]
    [InlineData("int", "int256")]
    [InlineData("bytes32", "bytes32")]
    [InlineData("(uint32,uint64,bool,bytes32)[]", "(uint32,uint64,bool,bytes32)[]")]
    [InlineData("( uint32 , (address,string)[2] )[][3]", "(uint32,(address,string)[2])[][3]")]
    [InlineData("()", "()")]
    [InlineData("(uint32 a, bytes b)", "(uint32,bytes)")]
    public void ParsesToCanonicalForm(string text, string canonical) =>
        Assert.Equal(canonical, AbiType.Parse(text).Canonical);

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("uint08")]
    [InlineData("bytes0")]
    [InlineData("bytes33")]
    [InlineData("int0")]
    [InlineData("float")]
    [InlineData("(uint8")]
    [InlineData("uint8[")]
    [InlineData("uint8[0]")]
    [InlineData("uint8]")]
    [InlineData("")]
    public void RejectsNonTypes(string text)
    {
        var e = Assert.Throws<FormatException>(() => AbiType.Parse(text));
        Assert.Contains("ABI", e.Message);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool CanonicalNamesParseBackToTheSameType(int seed)
    {
        var type = new Support.AbiValueGenerator(seed).NextType();
        return AbiType.Parse(type.Canonical) == type;
    }

    [Fact]
    public void ParsesEventParametersWithIndexedAndNames()
    {
        var e = AbiEvent.Parse("ModelCommitted(uint64 indexed round, uint32 indexed cluster, address indexed member, bytes32 modelId, uint64 samples, uint32 metric)");
        Assert.Equal("ModelCommitted(uint64,uint32,address,bytes32,uint64,uint32)", e.Signature);
        Assert.Equal([true, true, true, false, false, false], e.Parameters.Select(p => p.Indexed));
        Assert.Equal(["round", "cluster", "member", "modelId", "samples", "metric"], e.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void ParsesFunctionsWithReturns()
    {
        var f = AbiFunction.Parse("memberInfo(address account) returns (bytes peerId, string multiaddr, bytes32 ringId, bool optedOut, bool active)");
        Assert.Equal("memberInfo(address)", f.Signature);
        Assert.Equal("(bytes,string,bytes32,bool,bool)", new TupleType(f.OutputTypes).Canonical);
    }
}
