using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Support;

/// <summary>One real `hardhat node` shared by the chain tests that need it (starting one takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class HardhatCollection : ICollectionFixture<HardhatNode>
{
    public const string Name = "hardhat";
}
