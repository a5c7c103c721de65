using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Learning.Models.Declarative;

namespace SwarmFL.Learning.Tests.Models.Declarative;

/// <summary>The canonical form the chain pins: what two files mean decides the bytes, not how they are written.</summary>
public class CanonicalFormTests
{
    private const string Tabular = """
        {
          "format": "swarmfl-model/1",
          "name": "tabular-mlp",
          "input": [13],
          "layers": [
            {"type": "linear", "out": 64},
            {"type": "relu"},
            {"type": "dropout", "p": 0.1},
            {"type": "linear", "out": 3, "name": "head"}
          ]
        }
        """;

    [Fact]
    public void TheCanonicalFormIsCompactSortedWithDefaultsFilledIn()
    {
        var model = DeclarativeModel.Parse(Tabular);
        Assert.Equal(
            """{"format":"swarmfl-model/1","input":[13],"inputType":"float32","layers":[{"bias":true,"out":64,"type":"linear"},{"type":"relu"},{"p":0.1,"type":"dropout"},{"bias":true,"name":"head","out":3,"type":"linear"}],"name":"tabular-mlp"}""",
            model.CanonicalJson);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(model.CanonicalJson)), model.Hash());
        Assert.Equal(model.Hash(), model.FileId.DigestBytes());
    }

    [Fact]
    public void WritingDefaultsOutOrReorderingKeysKeepsTheHash()
    {
        var explicitDefaults = """{"layers":[{"bias":true,"type":"linear","out":64},{"type":"relu"},{"type":"dropout","p":1e-1},{"name":"head","type":"linear","out":3}],"inputType":"float32","input":[13],"name":"tabular-mlp","format":"swarmfl-model/1"}""";
        Assert.Equal(DeclarativeModel.Parse(Tabular).HashHex, DeclarativeModel.Parse(explicitDefaults).HashHex);
        var changed = Tabular.Replace("\"p\": 0.1", "\"p\": 0.2");
        Assert.NotEqual(DeclarativeModel.Parse(Tabular).HashHex, DeclarativeModel.Parse(changed).HashHex);
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-5, "0.00001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(1, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(100, "100")]
    public void NumbersAreWrittenAsECMAScriptDoes(double value, string expected) => Assert.Equal(expected, CanonicalForm.Number(value));

    [Fact]
    public void EveryCanonicalNumberReadsBackToTheSameDouble()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<NormalFloat>(), f =>
        {
            var text = CanonicalForm.Number(f.Get);
            return double.Parse(text, CultureInfo.InvariantCulture) == f.Get && !text.Contains(' ') && text == text.ToLowerInvariant();
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Random valid models: dense stacks with optional fields, written in random key order and spacing.</summary>
    private static Gen<(string Json, string Shuffled)> Models()
    {
        var layer = Gen.OneOf(
            Gen.Choose(1, 50).Select(o => $$"""{"type":"linear","out":{{o}}}"""),
            Gen.Choose(1, 50).SelectMany(o => ArbMap.Default.GeneratorFor<bool>().Select(b => $$"""{"out":{{o}},"bias":{{(b ? "true" : "false")}},"type":"linear"}""")),
            Gen.Elements("relu", "gelu", "silu", "tanh", "sigmoid").Select(t => $$"""{"type":"{{t}}"}"""),
            Gen.Choose(0, 99).Select(p => $$"""{"type":"dropout","p":{{(p / 100.0).ToString("R", CultureInfo.InvariantCulture)}}}"""),
            Gen.Choose(1, 1000).Select(e => $$"""{"eps":{{(e * 1e-6).ToString("R", CultureInfo.InvariantCulture)}},"type":"layernorm"}"""),
            Gen.Choose(-100, 100).Select(s => $$"""{"type":"leaky-relu","slope":{{(s / 50.0).ToString("R", CultureInfo.InvariantCulture)}}}"""));
        return Gen.Choose(1, 6).SelectMany(n => Gen.ListOf(layer, n)).SelectMany(layers => Gen.Choose(1, 40).SelectMany(input => Gen.Choose(0, 1000).Select(seed =>
        {
            var body = string.Join(",", layers) + (layers.Count == 0 ? "" : ",") + """{"type":"linear","out":2}""";
            var json = $$"""{"format":"swarmfl-model/1","name":"p","input":[{{input}}],"layers":[{{body}}]}""";
            var random = new Random(seed);
            var spaced = string.Concat(json.Select(c => c is ',' or ':' && random.Next(2) == 0 ? c + new string(' ', random.Next(3)) + "\n" : c.ToString()));
            var shuffled = random.Next(2) == 0
                ? $$"""{ "layers" : [{{body}}], "input":[{{input}}] ,"name":"p","inputType":"float32", "format":"swarmfl-model/1"}"""
                : spaced;
            return (json, shuffled);
        })));
    }

    [Fact]
    public void TheCanonicalFormIsAFixedPointAndIgnoresKeyOrderAndSpacing()
    {
        Prop.ForAll(Models().ToArbitrary(), m =>
        {
            var model = DeclarativeModel.Parse(m.Json);
            var again = DeclarativeModel.Parse(model.FileBytes, "canonical");
            var shuffled = DeclarativeModel.Parse(m.Shuffled);
            return again.FileBytes.AsSpan().SequenceEqual(model.FileBytes)
                && shuffled.HashHex == model.HashHex
                && !model.CanonicalJson.Contains(' ')
                && model.Layout.SameAs(shuffled.Layout);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void EveryPrefixOfAValidFileIsRefusedWithAModelError()
    {
        // Truncated downloads and editor accidents: never a crash or another exception type.
        var bytes = Encoding.UTF8.GetBytes(Tabular);
        for (var length = 0; length < bytes.Length - 1; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            var e = Record.Exception(() => DeclarativeModel.Parse(prefix, "cut.json"));
            Assert.IsType<SwarmFL.Learning.Models.ModelFormatException>(e);
        }
    }
}
