using System.Globalization;
using System.Text.RegularExpressions;

namespace Meshy.Filters.Tests.Observability;

/// <summary>The samples of a Prometheus text exposition, parsed line by line.</summary>
internal sealed partial class PrometheusText(IReadOnlyList<PrometheusText.Sample> samples)
{
    public IReadOnlyList<Sample> Samples => samples;

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            Match match = SampleLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"not a sample line: {line}");
            }
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["name"].Value] = label.Groups["value"].Value;
            }
            double value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                string v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(match.Groups["name"].Value, labels, value));
        }
        return new PrometheusText(samples);
    }

    /// <summary>Samples of <paramref name="name"/> whose labels include every pair of <paramref name="labels"/>.</summary>
    public IEnumerable<Sample> Where(string name, params (string Name, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out string? v) && v == l.Value));

    /// <summary>The one sample that matches, failing when there is none or more than one.</summary>
    public double Single(string name, params (string Name, string Value)[] labels)
    {
        Sample[] matching = [.. Where(name, labels)];
        if (matching.Length != 1)
        {
            throw new Xunit.Sdk.XunitException($"{matching.Length} samples of {name} match {string.Join(",", labels)}:\n"
                + string.Join('\n', samples.Where(s => s.Name == name).Select(s => s.ToString())));
        }
        return matching[0].Value;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();

    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public override string ToString() => $"{Name}{{{string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {Value}";
    }
}
