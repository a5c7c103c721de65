using System.Globalization;
using System.Text;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>One sample of a scrape: the metric name (with any _bucket/_sum/_count suffix), its labels, its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";
}

/// <summary>A metric family: its HELP, TYPE and samples.</summary>
public sealed record PrometheusFamily(string Name, string Type, string Help, List<PrometheusSample> Samples);

/// <summary>
/// A small strict parser of the Prometheus text exposition format 0.0.4, written for the tests so they do not trust the
/// exporter to read its own output. It rejects what the format forbids instead of skipping it: a sample before its
/// family's TYPE or of another family, a family declared twice, bad names, unterminated or badly escaped label values,
/// duplicate labels, unparsable values, a counter that is negative or does not end in _total, a histogram whose buckets
/// are not cumulative, lack +Inf, or disagree with _count.
/// </summary>
public static class PrometheusText
{
    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        PrometheusFamily? current = null;
        var lineNumber = 0;
        if (text.Length > 0 && !text.EndsWith('\n')) throw new FormatException("the exposition does not end with a newline");
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                if (line.StartsWith('#'))
                {
                    var parts = line.Split(' ', 4);
                    if (parts.Length >= 3 && parts[0] == "#" && parts[1] == "HELP")
                    {
                        RequireMetricName(parts[2]);
                        if (!helps.TryAdd(parts[2], parts.Length == 4 ? parts[3] : "")) throw new FormatException($"second HELP for {parts[2]}");
                    }
                    else if (parts.Length == 4 && parts[0] == "#" && parts[1] == "TYPE")
                    {
                        RequireMetricName(parts[2]);
                        if (parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped")) throw new FormatException($"unknown type '{parts[3]}'");
                        if (families.ContainsKey(parts[2])) throw new FormatException($"family {parts[2]} declared twice");
                        current = new PrometheusFamily(parts[2], parts[3], helps.GetValueOrDefault(parts[2], ""), []);
                        families.Add(parts[2], current);
                    }
                    continue; // other comments are allowed
                }
                var sample = ParseSample(line);
                if (current is null || !BelongsTo(sample.Name, current)) throw new FormatException($"sample {sample.Name} outside its family's TYPE block");
                current.Samples.Add(sample);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {lineNumber}: {e.Message}: '{line}'", e);
            }
        }
        foreach (var family in families.Values) Check(family);
        return families;
    }

    private static bool BelongsTo(string name, PrometheusFamily family) => family.Type switch
    {
        "histogram" => name == family.Name + "_bucket" || name == family.Name + "_sum" || name == family.Name + "_count",
        "summary" => name == family.Name || name == family.Name + "_sum" || name == family.Name + "_count",
        _ => name == family.Name,
    };

    private static void Check(PrometheusFamily family)
    {
        if (family.Type == "counter")
        {
            if (!family.Name.EndsWith("_total", StringComparison.Ordinal)) throw new FormatException($"counter {family.Name} does not end in _total");
            if (family.Samples.FirstOrDefault(s => s.Value < 0 || double.IsNaN(s.Value)) is { } bad) throw new FormatException($"counter {family.Name} has value {bad.Value}");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in family.Samples)
            if (!seen.Add(sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}"))
                throw new FormatException($"{family.Name}: the same series twice ({sample.Name} {string.Join(",", sample.Labels)})");
        if (family.Type != "histogram") return;
        foreach (var series in family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))))
        {
            var buckets = series.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).ToList();
            if (buckets.Any(b => !b.Labels.ContainsKey("le"))) throw new FormatException($"{family.Name}: a bucket without le");
            var ordered = buckets.Select(b => (Le: ParseValue(b.Labels["le"]), b.Value)).ToList();
            if (ordered.Count == 0 || !double.IsPositiveInfinity(ordered[^1].Le)) throw new FormatException($"{family.Name}{{{series.Key}}}: no +Inf bucket last");
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Le <= ordered[i - 1].Le) throw new FormatException($"{family.Name}{{{series.Key}}}: bucket bounds not increasing");
                if (ordered[i].Value < ordered[i - 1].Value) throw new FormatException($"{family.Name}{{{series.Key}}}: buckets not cumulative");
            }
            var count = series.SingleOrDefault(s => s.Name.EndsWith("_count", StringComparison.Ordinal)) ?? throw new FormatException($"{family.Name}{{{series.Key}}}: no _count");
            if (series.SingleOrDefault(s => s.Name.EndsWith("_sum", StringComparison.Ordinal)) is null) throw new FormatException($"{family.Name}{{{series.Key}}}: no _sum");
            if (count.Value != ordered[^1].Value) throw new FormatException($"{family.Name}{{{series.Key}}}: _count {count.Value} differs from the +Inf bucket {ordered[^1].Value}");
        }
    }

    /// <summary>name{label="value",…} value [timestamp]</summary>
    public static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        var name = ReadName(line, ref i, metric: true);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                var label = ReadName(line, ref i, metric: false);
                Expect(line, ref i, '=');
                Expect(line, ref i, '"');
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException("unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException("dangling escape");
                        value.Append(line[i++] switch { '\\' => '\\', '"' => '"', 'n' => '\n', var other => throw new FormatException($"bad escape \\{other}") });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"label {label} twice");
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; break; }
                throw new FormatException("expected ',' or '}' after a label");
            }
        }
        Expect(line, ref i, ' ');
        var rest = line[i..].Split(' ');
        if (rest.Length is < 1 or > 2 || rest[0].Length == 0) throw new FormatException("expected a value and at most a timestamp");
        var sampleValue = ParseValue(rest[0]);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) throw new FormatException($"bad timestamp '{rest[1]}'");
        return new PrometheusSample(name, labels, sampleValue);
    }

    public static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !text.Contains(',') && text.Trim() == text => v,
        _ => throw new FormatException($"'{text}' is not a sample value"),
    };

    private static string ReadName(string line, ref int i, bool metric)
    {
        var start = i;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_' || metric && line[i] == ':')) i++;
        var name = line[start..i];
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) throw new FormatException($"bad {(metric ? "metric" : "label")} name at column {start + 1}");
        return name;
    }

    private static void RequireMetricName(string name)
    {
        var i = 0;
        if (ReadName(name, ref i, metric: true) != name) throw new FormatException($"bad metric name '{name}'");
    }

    private static void Expect(string line, ref int i, char c)
    {
        if (i >= line.Length || line[i] != c) throw new FormatException($"expected '{c}' at column {i + 1}");
        i++;
    }
}
