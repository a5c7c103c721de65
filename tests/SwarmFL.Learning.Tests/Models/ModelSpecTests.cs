using SwarmFL.Learning.Models;

namespace SwarmFL.Learning.Tests.Models;

public class ModelSpecTests
{
    [Fact]
    public void Mnist2nnHasThePapersParameterCount()
    {
        Assert.Equal(199_210, ModelSpec.Mnist2nn.Layout().ParameterCount);
        Assert.Equal(["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "fc3.bias", "fc3.weight"],
            ModelSpec.Mnist2nn.Layout().Tensors.Select(t => t.Name));
    }

    [Fact]
    public void MnistCnnHasThePapersParameterCount()
    {
        var layout = ModelSpec.MnistCnn.Layout();
        Assert.Equal(1_663_370, layout.ParameterCount);
        Assert.Equal([64, 32, 5, 5], layout.Find("conv2.weight")!.Shape);
        Assert.Equal([512, 3136], layout.Find("fc1.weight")!.Shape);
    }

    [Fact]
    public void CanonicalJsonIsCompactSortedAndRoundTrips()
    {
        foreach (var spec in ModelSpec.BuiltIn)
        {
            var json = spec.CanonicalJson;
            Assert.DoesNotContain(" ", json);
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal), keys);
            var back = ModelSpec.FromJson(json);
            Assert.Equal(json, back.CanonicalJson);
            Assert.Equal(spec.HashHex, back.HashHex);
        }
        Assert.Equal("""{"architecture":"mlp","classes":10,"dense":[200,200],"input":[1,28,28],"name":"mnist-2nn"}""", ModelSpec.Mnist2nn.CanonicalJson);
    }

    [Fact]
    public void HashIsSha256OfTheCanonicalJsonAndDiffersPerSpec()
    {
        var expected = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ModelSpec.MnistCnn.CanonicalJson));
        Assert.Equal(expected, ModelSpec.MnistCnn.Hash());
        Assert.Equal(32, ModelSpec.MnistCnn.Hash().Length);
        Assert.NotEqual(ModelSpec.Mnist2nn.HashHex, ModelSpec.MnistCnn.HashHex);
        var wider = ModelSpec.Mnist2nn with { Dense = [300, 200] };
        Assert.NotEqual(ModelSpec.Mnist2nn.HashHex, wider.HashHex);
        // Key order in the input does not change the hash.
        var shuffled = """{"name":"mnist-2nn","input":[1,28,28],"dense":[200,200],"classes":10,"architecture":"mlp"}""";
        Assert.Equal(ModelSpec.Mnist2nn.HashHex, ModelSpec.FromJson(shuffled).HashHex);
    }

    [Theory]
    [InlineData("""{"architecture":"rnn","classes":10,"dense":[],"input":[1,28,28],"name":"x"}""")]
    [InlineData("""{"architecture":"mlp","classes":10,"dense":[0],"input":[1,28,28],"name":"x"}""")]
    [InlineData("""{"architecture":"mlp","classes":10,"dense":[5],"input":[1,28,28],"name":"x","extra":1}""")]
    [InlineData("""{"architecture":"cnn","classes":10,"conv":[8],"dense":[],"input":[1,28,28],"kernel":4,"name":"x","pool":2}""")]
    [InlineData("""{"architecture":"mlp","classes":10""")]
    public void BadSpecsAreRefused(string json) => Assert.Throws<FormatException>(() => ModelSpec.FromJson(json));

    [Fact]
    public void UnknownBuiltInNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.ByName("resnet"));
        Assert.Contains("mnist-cnn", e.Message);
    }
}
