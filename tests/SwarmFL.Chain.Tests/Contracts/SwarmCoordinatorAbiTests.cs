using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Contracts;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Contracts;

/// <summary>The binding's declarations against the compiled contract: an ABI change that breaks the binding fails here.</summary>
public class SwarmCoordinatorAbiTests
{
    private static readonly ContractArtifact Artifact =
        ContractArtifact.Load(Path.Combine(RepoPaths.Root, ContractArtifact.SwarmCoordinatorRelativePath));

    [Fact]
    public void EveryFunctionTheBindingCallsExistsWithTheSameInputsAndOutputs()
    {
        foreach (var function in SwarmCoordinatorAbi.AllFunctions)
        {
            var compiled = Artifact.Abi.Functions.SingleOrDefault(f => f.Signature == function.Signature);
            Assert.True(compiled is not null, $"the contract has no function {function.Signature}");
            Assert.Equal(new TupleType(compiled!.OutputTypes).Canonical, new TupleType(function.OutputTypes).Canonical);
        }
    }

    [Fact]
    public void EveryEventMatchesTheArtifactIncludingIndexedFlags_AndEveryContractEventIsDecoded()
    {
        foreach (var ev in SwarmCoordinatorAbi.AllEvents)
        {
            var compiled = Artifact.Abi.Events.SingleOrDefault(e => e.Signature == ev.Signature);
            Assert.True(compiled is not null, $"the contract has no event {ev.Signature}");
            Assert.Equal(compiled!.Parameters.Select(p => p.Indexed), ev.Parameters.Select(p => p.Indexed));
        }
        var decoded = SwarmCoordinatorAbi.AllEvents.Select(e => e.Signature).ToHashSet();
        Assert.All(Artifact.Abi.Events, e => Assert.True(decoded.Contains(e.Signature), $"the binding does not decode {e.Signature}"));
    }

    [Fact]
    public void RoundEventsIndexTheRoundFirst() =>
        Assert.All(SwarmCoordinatorAbi.RoundEvents, e =>
        {
            var first = e.Parameters.First(p => p.Indexed);
            Assert.Equal(("round", "uint64"), (first.Name, first.Type.Canonical));
        });

    [Fact]
    public void EveryCustomErrorOfTheContractIsKnownToTheBinding()
    {
        var known = SwarmCoordinatorAbi.Errors.Select(e => e.Signature).ToHashSet();
        Assert.All(Artifact.Abi.Errors, e => Assert.True(known.Contains(e.Signature), $"the binding cannot decode error {e.Signature}"));
        var compiled = Artifact.Abi.Errors.Select(e => e.Signature).ToHashSet();
        Assert.All(SwarmCoordinatorAbi.Errors, e => Assert.True(compiled.Contains(e.Signature), $"the contract has no error {e.Signature}"));
    }

    [Fact]
    public void TheConstructorTakesTheConfigTuple() =>
        Assert.Equal(SwarmCoordinatorAbi.ConstructorInputs.Canonical, new TupleType(Artifact.Abi.ConstructorInputs.Select(p => p.Type).ToArray()).Canonical);

    /// <summary>The committed bindings are what nethereum-codegen makes of the compiled contract now.</summary>
    [Fact]
    public async Task TheCommittedBindingsEqualAFreshGeneration()
    {
        var output = await NodeScript.RunAsync("../../node/SwarmFL.Chain/Contracts/generate-bindings.js", ["--check", "--no-compile"]);
        Assert.Contains("bindings up to date", output);
    }

    [Fact]
    public void EveryStrictDescriptionHasTheTypesOfTheArtifact_TuplesIncluded()
    {
        Assert.Equal("config()", SwarmCoordinatorAbi.Config.Signature);
        Assert.Equal("((uint32,uint64,uint64,uint32,bool,bytes32,bytes32,uint8))", new TupleType(SwarmCoordinatorAbi.Config.OutputTypes).Canonical);
        Assert.Equal("SwarmCreated(address,(uint32,uint64,uint64,uint32,bool,bytes32,bytes32,uint8))", SwarmCoordinatorAbi.SwarmCreated.Signature);
        Assert.Equal(Artifact.Abi.Errors.Count, SwarmCoordinatorAbi.Errors.Count);
        // The struct texts still serve declarations written by hand, as before the bindings were generated.
        Assert.Equal(SwarmCoordinatorAbi.SwarmCreated.Signature,
            AbiEvent.Parse($"SwarmCreated(address indexed creator, {SwarmCoordinatorAbi.ConfigTuple} config)").Signature);
        Assert.Equal("(string policy, uint64 maxSamples, uint32 leaderCooldown, uint64 objectionWindow)", SwarmCoordinatorAbi.AggregationRulesTuple);
    }

    [Fact]
    public void TheEmbeddedArtifactIsTheCompiledOne()
    {
        var embedded = ContractArtifact.SwarmCoordinator();
        Assert.Equal("embedded", embedded.Source);
        Assert.Equal(Artifact.Bytecode, embedded.Bytecode);
    }

    [Fact]
    public void BrokenArtifactsAreClearErrors()
    {
        Assert.Throws<FileNotFoundException>(() => ContractArtifact.Load("/nonexistent/SwarmCoordinator.json"));
        var e = Assert.Throws<FormatException>(() => ContractArtifact.Parse("{\"abi\":[]}"u8.ToArray(), "test.json"));
        Assert.Contains("test.json is not a Hardhat artifact", e.Message);
    }
}
