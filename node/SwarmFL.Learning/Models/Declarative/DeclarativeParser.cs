using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SwarmFL.Learning.Models.Declarative;

/// <summary>
/// Reads a <c>swarmfl-model/1</c> file: strict JSON (no comments, no trailing commas, no duplicate or unknown keys), every
/// field checked, defaults filled in. Shapes are checked separately by <see cref="DeclarativeShapes"/>.
/// </summary>
public static partial class DeclarativeParser
{
    /// <summary>A declarative file larger than this is refused before parsing (real ones are a few hundred bytes).</summary>
    public const int MaxFileBytes = 1 << 20;
    public const int MaxLayers = 1000;

    private static readonly string[] TopLevelKeys = ["format", "input", "inputType", "layers", "name"];

    public static DeclarativeSpec Parse(ReadOnlySpan<byte> utf8, string what)
    {
        if (utf8.Length > MaxFileBytes) throw Error(what, $"the file has {utf8.Length} bytes, more than the {MaxFileBytes} a model file may have");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Error(what, $"not valid JSON: {e.Message}");
        }
        using (doc) return Read(doc.RootElement, what);
    }

    public static DeclarativeSpec Parse(string json, string what) => Parse(Encoding.UTF8.GetBytes(json), what);

    private static DeclarativeSpec Read(JsonElement root, string what)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Error(what, "a model file is a JSON object");
        var top = Properties(root, what, "the model");
        foreach (var key in top.Keys)
            if (!TopLevelKeys.Contains(key))
                throw Error(what, $"unknown field '{key}' (a model has {string.Join(", ", TopLevelKeys)})");
        var format = RequiredString(top, "format", what, "the model");
        if (format != DeclarativeSpec.Format) throw Error(what, $"field 'format' is '{format}'; this node reads '{DeclarativeSpec.Format}'");
        var name = RequiredString(top, "name", what, "the model");
        if (name.Length == 0 || name.Length > 200) throw Error(what, "field 'name' must be 1 to 200 characters");
        var input = ReadInput(top, what);
        var inputType = top.TryGetValue("inputType", out var it) ? StringOf(it, what, "the model", "inputType") : "float32";
        if (inputType is not ("float32" or "int64")) throw Error(what, $"field 'inputType' is '{inputType}'; it is \"float32\" or \"int64\"");
        if (!top.TryGetValue("layers", out var layersElement)) throw Error(what, "the model has no field 'layers'");
        if (layersElement.ValueKind != JsonValueKind.Array) throw Error(what, "field 'layers' must be an array of layer objects");
        var count = layersElement.GetArrayLength();
        if (count == 0) throw Error(what, "field 'layers' is empty; a model needs at least one layer");
        if (count > MaxLayers) throw Error(what, $"field 'layers' has {count} layers, more than the {MaxLayers} allowed");
        var layers = new List<DeclaredLayer>();
        var index = 0;
        foreach (var element in layersElement.EnumerateArray()) layers.Add(ReadLayer(element, index++, what));
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in layers.Where(l => l.Name is not null))
        {
            if (names.TryGetValue(layer.Name!, out var first))
                throw Error(what, $"{layer.Label}: field 'name': '{layer.Name}' is already the name of layer {first}");
            names[layer.Name!] = layer.Index;
        }
        return new DeclarativeSpec(name, input, inputType, layers);
    }

    private static int[] ReadInput(Dictionary<string, JsonElement> top, string what)
    {
        if (!top.TryGetValue("input", out var e)) throw Error(what, "the model has no field 'input' (the per-sample input shape, e.g. [13] or [1,28,28])");
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() is 0 or > 4)
            throw Error(what, "field 'input' must be an array of 1 to 4 positive integers: the per-sample shape, without the batch dimension");
        var shape = new List<int>();
        foreach (var d in e.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out var v) || v <= 0 || v > 1 << 24)
                throw Error(what, $"field 'input': {d.GetRawText()} is not a positive integer dimension (at most 2^24)");
            shape.Add(v);
        }
        return shape.ToArray();
    }

    private static DeclaredLayer ReadLayer(JsonElement element, int index, string what)
    {
        var at = $"layer {index}";
        if (element.ValueKind != JsonValueKind.Object) throw Error(what, $"{at}: a layer is a JSON object with a \"type\"");
        var properties = Properties(element, what, at);
        var type = RequiredString(properties, "type", what, at);
        if (!LayerCatalog.Types.TryGetValue(type, out var rules))
            throw Error(what, $"{at}: unknown layer type '{type}' (known: {string.Join(", ", LayerCatalog.Types.Keys)})");
        var label = $"layer {index} ({type})";
        string? name = null;
        if (properties.TryGetValue("name", out var n))
        {
            name = StringOf(n, what, label, "name");
            if (!ModuleName().IsMatch(name))
                throw Error(what, $"{label}: field 'name': '{name}' is not a module name (a letter or _, then letters, digits or _; at most 64)");
        }
        foreach (var key in properties.Keys)
            if (key is not ("type" or "name") && rules.All(r => r.Name != key))
                throw Error(what, $"{label}: unknown field '{key}'" + (rules.Length == 0 ? $" ({type} takes no fields)" : $" ({type} takes {string.Join(", ", rules.Select(r => r.Name))})"));
        var fields = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (properties.TryGetValue(rule.Name, out var value)) fields[rule.Name] = ReadField(value, rule, what, label);
            else if (rule.Required) throw Error(what, $"{label}: field '{rule.Name}' is required");
            else if (rule.Default is not null) fields[rule.Name] = rule.Default;
        }
        foreach (var rule in rules.Where(r => r.SameAs is not null && !fields.ContainsKey(r.Name)))
            fields[rule.Name] = fields[rule.SameAs!];
        return new DeclaredLayer(index, type, name, fields);
    }

    private static object ReadField(JsonElement value, FieldRule rule, string what, string label)
    {
        var field = $"{label}: field '{rule.Name}'";
        switch (rule.Kind)
        {
            case FieldKind.Positive:
            case FieldKind.NonNegative:
                return Integer(value, rule.Kind == FieldKind.Positive ? 1 : 0, what, field);
            case FieldKind.PositiveOrPair:
                if (value.ValueKind == JsonValueKind.Array)
                {
                    if (value.GetArrayLength() != 2) throw Error(what, $"{field} must be a positive integer or a pair [h, w] of them");
                    return value.EnumerateArray().Select(v => Integer(v, 1, what, field)).ToArray();
                }
                return Integer(value, 1, what, field);
            case FieldKind.Boolean:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Error(what, $"{field} must be true or false, not {value.GetRawText()}");
                return value.GetBoolean();
            case FieldKind.RecurrentOutput:
                var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                if (text is not ("last" or "sequence")) throw Error(what, $"{field} must be \"last\" or \"sequence\", not {value.GetRawText()}");
                return text;
            default:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var x) || !double.IsFinite(x))
                    throw Error(what, $"{field} must be a number, not {value.GetRawText()}");
                var ok = rule.Kind switch
                {
                    FieldKind.Probability => x >= 0 && x < 1,
                    FieldKind.Fraction => x >= 0 && x <= 1,
                    FieldKind.PositiveNumber => x > 0,
                    _ => true,
                };
                if (!ok)
                    throw Error(what, $"{field} is {value.GetRawText()}, but must be " + rule.Kind switch
                    {
                        FieldKind.Probability => "in [0, 1)",
                        FieldKind.Fraction => "in [0, 1]",
                        _ => "positive",
                    });
                return x == 0 ? 0.0 : x; // -0 and 0 are one canonical value
        }
    }

    private static long Integer(JsonElement value, long minimum, string what, string field)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var v))
            throw Error(what, $"{field} must be an integer, not {value.GetRawText()}");
        if (v < minimum || v > 1 << 24) throw Error(what, $"{field} is {v}; it must be between {minimum} and 2^24");
        return v;
    }

    private static Dictionary<string, JsonElement> Properties(JsonElement obj, string what, string at)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
            if (!result.TryAdd(p.Name, p.Value)) throw Error(what, $"{at}: field '{p.Name}' appears twice");
        return result;
    }

    private static string RequiredString(Dictionary<string, JsonElement> properties, string key, string what, string at)
    {
        if (!properties.TryGetValue(key, out var e)) throw Error(what, $"{at} has no field '{key}'");
        return StringOf(e, what, at, key);
    }

    private static string StringOf(JsonElement e, string what, string at, string key) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error(what, $"{at}: field '{key}' must be a string, not {e.GetRawText()}");

    internal static ModelFormatException Error(string what, string message) => new($"{what}: {message}");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex ModuleName();
}
