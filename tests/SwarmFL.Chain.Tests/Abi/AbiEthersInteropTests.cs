using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SwarmFL.Chain.Abi;
using SwarmFL.Chain.Tests.Support;
using SwarmFL.Crypto;
using SwarmFL.TestSupport;

namespace SwarmFL.Chain.Tests.Abi;

/// <summary>Our ABI encoder against ethers' AbiCoder over generated types and values (one node process for the batch).</summary>
public class AbiEthersInteropTests
{
    [Theory]
    [InlineData(20261122, 400)]
    [InlineData(7, 200)]
    public async Task EncodingsEqualEthersAbiCoder(int seed, int cases)
    {
        var generator = new AbiValueGenerator(seed);
        var batch = new List<(AbiType[] Types, object[] Values)>();
        var input = new StringBuilder();
        for (var i = 0; i < cases; i++)
        {
            var types = Enumerable.Range(0, 1 + i % 4).Select(_ => generator.NextType()).ToArray();
            var values = types.Select(generator.NextValue).ToArray();
            batch.Add((types, values));
            var line = new JsonObject
            {
                ["types"] = new JsonArray(types.Select(t => (JsonNode)JsonValue.Create(t.Canonical)!).ToArray()),
                ["values"] = new JsonArray(values.Select(AbiValueGenerator.ToEthersJson).ToArray()),
            };
            input.AppendLine(line.ToJsonString());
        }

        var output = (await NodeScript.RunAsync("chain/ethers-abi.mjs", [], input.ToString()))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases, output.Length);
        for (var i = 0; i < cases; i++)
        {
            using var answer = JsonDocument.Parse(output[i]);
            var (types, values) = batch[i];
            var signature = new TupleType(types).Canonical;
            Assert.False(answer.RootElement.TryGetProperty("error", out var error), $"ethers refused case {i} {signature}: {error}");
            var ethers = Hex.Decode(answer.RootElement.GetProperty("encoded").GetString()!);
            var ours = AbiEncoder.Encode(types, values);
            Assert.True(ethers.AsSpan().SequenceEqual(ours), $"case {i} {signature}:\nethers {Hex.Encode(ethers)}\nours   {Hex.Encode(ours)}");
            Assert.True(AbiValueGenerator.StructurallyEqual(values, AbiDecoder.Decode(types, ethers)), $"decoding ethers' encoding of case {i} {signature}");
        }
    }
}
