using System.Globalization;

namespace SwarmFL.Learning.Data;

/// <summary>
/// The one rule that turns label values (CSV cells, folder names, npz integers) into class indices, the same on every
/// node: with the swarm's pinned class list, a label's index in it; without one, integer labels are their own index
/// (classes 0…max) and other labels are numbered in sorted (ordinal) order.
/// </summary>
public static class ClassLabels
{
    public static (int[] Labels, string[] ClassNames) Index(IReadOnlyList<string> values, IReadOnlyList<string>? pinned, string file,
        Func<int, long>? rowOf = null)
    {
        var normalised = values.Select(Normalise).ToArray();
        string[] names;
        if (pinned is not null) names = pinned.Select(Normalise).ToArray();
        else if (normalised.All(IsClassInteger))
        {
            var max = normalised.Length == 0 ? -1 : normalised.Max(v => int.Parse(v, CultureInfo.InvariantCulture));
            names = Enumerable.Range(0, max + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        else names = normalised.Distinct().OrderBy(v => v, StringComparer.Ordinal).ToArray();
        if (names.Distinct().Count() != names.Length) throw new DataFileException(file, "the class list names a class twice");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++) index[names[i]] = i;
        var labels = new int[normalised.Length];
        for (var i = 0; i < normalised.Length; i++)
        {
            if (normalised[i].Length == 0)
                throw new DataFileException(file, "the label is missing; every sample needs a class", rowOf?.Invoke(i));
            if (!index.TryGetValue(normalised[i], out labels[i]))
                throw new DataFileException(file, $"label '{values[i]}' is not one of the swarm's {names.Length} classes ({Preview(names)}); remove the sample or use the swarm's class names",
                    rowOf?.Invoke(i));
        }
        return (labels, names);
    }

    /// <summary>An integer label in canonical form ("007" → "7"), anything else trimmed as it is.</summary>
    private static string Normalise(string value)
    {
        var trimmed = value.Trim();
        return long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n.ToString(CultureInfo.InvariantCulture) : trimmed;
    }

    private static bool IsClassInteger(string v) =>
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < 100_000;

    private static string Preview(string[] names) => names.Length <= 10 ? string.Join(", ", names) : string.Join(", ", names.Take(10)) + ", …";
}
