using SwarmFL.Learning.Models;
using SwarmFL.Learning.Models.Declarative;

namespace SwarmFL.Learning.Tests.Models.Declarative;

/// <summary>Every refusal of the parser and the shape check names what was wrong: the layer (index and type), the field, the shapes.</summary>
public class DeclarativeParserTests
{
    private static string Model(string layers, string input = "[13]", string extra = "") =>
        $$"""{"format":"swarmfl-model/1","name":"m","input":{{input}}{{extra}},"layers":[{{layers}}]}""";

    private static string Refusal(string json) =>
        Assert.Throws<ModelFormatException>(() => DeclarativeModel.Parse(json, "m.json")).Message;

    public static TheoryData<string, string[]> Refused => new()
    {
        // Syntax and top level
        { "{", ["m.json", "not valid JSON"] },
        { "[]", ["a model file is a JSON object"] },
        { """{"format":"swarmfl-model/1","name":"m","input":[3],"layers":[{"type":"relu"}],}""", ["not valid JSON"] },
        { """{"format":"swarmfl-model/1",/*c*/"name":"m","input":[3],"layers":[{"type":"relu"}]}""", ["not valid JSON"] },
        { """{"format":"swarmfl-model/2","name":"m","input":[3],"layers":[{"type":"linear","out":2}]}""", ["field 'format'", "swarmfl-model/2"] },
        { """{"name":"m","input":[3],"layers":[]}""", ["has no field 'format'"] },
        { """{"format":"swarmfl-model/1","input":[3],"layers":[]}""", ["has no field 'name'"] },
        { """{"format":"swarmfl-model/1","name":"","input":[3],"layers":[{"type":"linear","out":2}]}""", ["field 'name'"] },
        { """{"format":"swarmfl-model/1","name":3,"input":[3],"layers":[]}""", ["field 'name' must be a string"] },
        { """{"format":"swarmfl-model/1","name":"m","layers":[{"type":"linear","out":2}]}""", ["no field 'input'"] },
        { Model("""{"type":"linear","out":2}""", "[]"), ["field 'input'"] },
        { Model("""{"type":"linear","out":2}""", "[3,0]"), ["field 'input'", "0"] },
        { Model("""{"type":"linear","out":2}""", "[2.5]"), ["field 'input'", "2.5"] },
        { Model("""{"type":"linear","out":2}""", "[1,1,1,1,1]"), ["field 'input'"] },
        { Model("""{"type":"linear","out":2}""", extra: ""","inputType":"float16" """), ["field 'inputType'", "float16"] },
        { Model("""{"type":"linear","out":2}""", extra: ""","optimizer":"sgd" """), ["unknown field 'optimizer'"] },
        { Model("""{"type":"linear","out":2}""", extra: ""","name":"n" """), ["field 'name' appears twice"] },
        { """{"format":"swarmfl-model/1","name":"m","input":[3],"layers":{}}""", ["field 'layers' must be an array"] },
        { Model(""), ["field 'layers' is empty"] },
        // Layers
        { Model("3"), ["layer 0: a layer is a JSON object"] },
        { Model("""{"out":2}"""), ["layer 0 has no field 'type'"] },
        { Model("""{"type":"transformer"}"""), ["layer 0: unknown layer type 'transformer'", "linear"] },
        { Model("""{"type":"linear"}"""), ["layer 0 (linear): field 'out' is required"] },
        { Model("""{"type":"linear","out":0}"""), ["layer 0 (linear): field 'out' is 0"] },
        { Model("""{"type":"linear","out":2.5}"""), ["layer 0 (linear): field 'out' must be an integer", "2.5"] },
        { Model("""{"type":"linear","out":"2"}"""), ["layer 0 (linear): field 'out' must be an integer"] },
        { Model("""{"type":"linear","out":99999999999}"""), ["layer 0 (linear): field 'out'"] },
        { Model("""{"type":"linear","out":2,"bias":1}"""), ["layer 0 (linear): field 'bias' must be true or false"] },
        { Model("""{"type":"linear","out":2,"activation":"relu"}"""), ["layer 0 (linear): unknown field 'activation'", "out, bias"] },
        { Model("""{"type":"relu","inplace":true}"""), ["layer 0 (relu): unknown field 'inplace'", "takes no fields"] },
        { Model("""{"type":"linear","out":2,"out":3}"""), ["layer 0: field 'out' appears twice"] },
        { Model("""{"type":"dropout","p":1}"""), ["layer 0 (dropout): field 'p' is 1", "[0, 1)"] },
        { Model("""{"type":"dropout","p":-0.1}"""), ["layer 0 (dropout): field 'p'"] },
        { Model("""{"type":"dropout","p":"x"}"""), ["layer 0 (dropout): field 'p' must be a number"] },
        { Model("""{"type":"layernorm","eps":0}"""), ["layer 0 (layernorm): field 'eps' is 0", "positive"] },
        { Model("""{"type":"batchnorm1d","momentum":1.5}"""), ["layer 0 (batchnorm1d): field 'momentum'", "[0, 1]"] },
        { Model("""{"type":"linear","out":2,"name":"fc.1"}"""), ["layer 0 (linear): field 'name'", "fc.1"] },
        { Model("""{"type":"linear","out":2,"name":"1"}"""), ["layer 0 (linear): field 'name'", "'1'"] },
        { Model("""{"type":"linear","out":4,"name":"a"},{"type":"linear","out":2,"name":"a"}"""), ["layer 1 (linear): field 'name'", "already the name of layer 0"] },
        { Model("""{"type":"lstm","hidden":4,"output":"all"}""", "[5,3]"), ["layer 0 (lstm): field 'output'", "\"last\" or \"sequence\""] },
        { Model("""{"type":"adaptiveavgpool2d","output":[1,2,3]}""", "[1,4,4]"), ["layer 0 (adaptiveavgpool2d): field 'output'"] },
        // Shapes
        { Model("""{"type":"conv2d","out":4,"kernel":3}"""), ["layer 0 (conv2d)", "input [13] does not fit", "[channels, height, width]"] },
        { Model("""{"type":"conv2d","out":4,"kernel":7,"padding":1}""", "[1,4,4]"), ["layer 0 (conv2d): field 'kernel'", "7", "4 + 2×1 = 6", "[1,4,4]"] },
        { Model("""{"type":"conv1d","out":4,"kernel":3}""", "[1,4,4]"), ["layer 0 (conv1d)", "input [1,4,4] does not fit"] },
        { Model("""{"type":"maxpool2d","kernel":2},{"type":"flatten"},{"type":"linear","out":2}"""), ["layer 0 (maxpool2d)", "input [13] does not fit"] },
        { Model("""{"type":"maxpool1d","kernel":9}""", "[2,4]"), ["layer 0 (maxpool1d): field 'kernel'", "9", "[2,4]"] },
        { Model("""{"type":"batchnorm2d"}"""), ["layer 0 (batchnorm2d)", "input [13] does not fit"] },
        { Model("""{"type":"batchnorm1d"}""", "[1,2,3]"), ["layer 0 (batchnorm1d)", "input [1,2,3] does not fit"] },
        { Model("""{"type":"adaptiveavgpool1d","output":2}"""), ["layer 0 (adaptiveavgpool1d)", "input [13]"] },
        { Model("""{"type":"lstm","hidden":4}"""), ["layer 0 (lstm)", "input [13] does not fit", "[steps, features]"] },
        { Model("""{"type":"linear","out":4},{"type":"embedding","num":10,"dim":3}"""), ["layer 1 (embedding)", "must be the first layer"] },
        { Model("""{"type":"embedding","num":10,"dim":3}"""), ["layer 0 (embedding)", "inputType", "int64"] },
        { Model("""{"type":"linear","out":2}""", extra: ""","inputType":"int64" """), ["layer 0 (linear)", "first layer must be an embedding"] },
        { Model("""{"type":"relu"}""", "[2,3]"), ["output per sample is [2,3]", "one vector per sample"] },
        { Model("""{"type":"linear","out":16777216},{"type":"linear","out":16777216}"""), ["layer 1 (linear)", "exceeds"] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void ABadFileIsRefusedNamingWhatIsWrong(string json, string[] expected)
    {
        var message = Refusal(json);
        Assert.StartsWith("m.json: ", message);
        foreach (var part in expected) Assert.Contains(part, message);
    }

    [Fact]
    public void AFileOverTheSizeLimitIsRefusedBeforeParsing()
    {
        var big = new byte[DeclarativeParser.MaxFileBytes + 1];
        Array.Fill(big, (byte)' ');
        Assert.Contains("more than", Assert.Throws<ModelFormatException>(() => DeclarativeModel.Parse(big, "m.json")).Message);
    }

    [Fact]
    public void DefaultsAreFilledAndStrideDefaultsToTheKernel()
    {
        var model = DeclarativeModel.Parse(Model("""{"type":"maxpool1d","kernel":3},{"type":"flatten"},{"type":"dropout"},{"type":"linear","out":2}""", "[2,9]"));
        Assert.Equal(3L, model.Spec.Layers[0].Int("stride"));
        Assert.Equal(0.5, model.Spec.Layers[2].Number("p"));
        Assert.True(model.Spec.Layers[3].Flag("bias"));
        Assert.Equal("float32", model.Spec.InputType);
        Assert.Equal([2], model.OutputShape);
    }
}
