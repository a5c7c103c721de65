using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Support;

/// <summary>One real `hardhat node` shared by the chain tests that need it (starting one takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class HardhatCollection : ICollectionFixture<HardhatNode>
{
    public const string Name = "hardhat";
}

/// <summary>One real anvil (Foundry's EVM node) shared by the chain tests that run on it as well as on Hardhat.</summary>
[CollectionDefinition(Name)]
public sealed class AnvilCollection : ICollectionFixture<AnvilNode>
{
    public const string Name = "anvil";
}
