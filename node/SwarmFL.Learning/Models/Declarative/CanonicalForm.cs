using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SwarmFL.Learning.Models.Declarative;

/// <summary>
/// The canonical bytes of a declarative model, which the chain pins by SHA-256: compact UTF-8 JSON, keys of every object
/// in ordinal order, every default written out, integers as integers and other numbers in ECMAScript's shortest form
/// (<c>0.1</c>, <c>0.00001</c>, <c>1e-7</c>), strings escaped as <see cref="JsonSerializer"/> does for ASCII-safe output.
/// Two files that mean the same model have the same canonical bytes.
/// </summary>
public static class CanonicalForm
{
    public static byte[] Encode(DeclarativeSpec spec)
    {
        var json = new StringBuilder();
        json.Append("{\"format\":").Append(Text(DeclarativeSpec.Format));
        json.Append(",\"input\":[").AppendJoin(',', spec.Input).Append(']');
        json.Append(",\"inputType\":").Append(Text(spec.InputType));
        json.Append(",\"layers\":[");
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            if (i > 0) json.Append(',');
            Layer(json, spec.Layers[i]);
        }
        json.Append("],\"name\":").Append(Text(spec.Name)).Append('}');
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static void Layer(StringBuilder json, DeclaredLayer layer)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["type"] = Text(layer.Type) };
        if (layer.Name is not null) entries["name"] = Text(layer.Name);
        foreach (var (key, value) in layer.Fields) entries[key] = Value(value);
        json.Append('{');
        var first = true;
        foreach (var (key, value) in entries)
        {
            if (!first) json.Append(',');
            first = false;
            json.Append(Text(key)).Append(':').Append(value);
        }
        json.Append('}');
    }

    private static string Value(object value) => value switch
    {
        long v => v.ToString(CultureInfo.InvariantCulture),
        double d => Number(d),
        bool b => b ? "true" : "false",
        string s => Text(s),
        long[] pair => "[" + string.Join(",", pair) + "]",
        _ => throw new InvalidOperationException($"no canonical form for {value.GetType()}"),
    };

    private static string Text(string s) => JsonSerializer.Serialize(s);

    /// <summary>ECMAScript Number::toString (as JSON.stringify and RFC 8785 write numbers): shortest round-trip digits.</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException("only finite numbers have a canonical form");
        if (value == 0) return "0";
        var negative = value < 0;
        // .NET's "E16" is not shortest; "R" is (since .NET Core 3.0), in either fixed or exponent notation.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        var intPart = dot >= 0 ? r[..dot] : r;
        var fracPart = dot >= 0 ? r[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        // value = 0.digits × 10^n
        var n = intPart.Length - leadingZeros + exponent;
        digits = digits.TrimEnd('0');
        var k = digits.Length;
        string text;
        if (k <= n && n <= 21) text = digits + new string('0', n - k);
        else if (0 < n && n <= 21) text = digits[..n] + "." + digits[n..];
        else if (-6 < n && n <= 0) text = "0." + new string('0', -n) + digits;
        else
        {
            var exp = n - 1;
            text = digits[..1] + (k > 1 ? "." + digits[1..] : "") + "e" + (exp >= 0 ? "+" : "-") + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
        }
        return negative ? "-" + text : text;
    }
}
