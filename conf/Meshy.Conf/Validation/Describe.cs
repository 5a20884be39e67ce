using System.Globalization;
using System.Text;
using Meshy.Conf.Loading;

namespace Meshy.Conf.Validation;

/// <summary>Renders values and lists for messages, the way they look in the file.</summary>
internal static class Describe
{
    private const int MaxQuoted = 80;

    /// <summary>The value as written: <c>-1</c>, <c>1.5</c>, <c>true</c>, <c>"text"</c>, <c>a table</c>, <c>an array</c>.</summary>
    public static string Value(TomlNode node) => node switch
    {
        TomlScalarNode { Kind: TomlScalarKind.String, Value: string text } => Quote(text),
        TomlScalarNode { Kind: TomlScalarKind.DateTime } scalar => "date-time " + scalar.Text,
        TomlScalarNode scalar => scalar.Text,
        TomlTableNode => "a table",
        TomlArrayNode => "an array",
        _ => "?",
    };

    /// <summary>A string in double quotes, control characters escaped, long ones cut.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text.Length > MaxQuoted ? text[..MaxQuoted] : text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                < ' ' or '\x7f' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }
        if (text.Length > MaxQuoted)
        {
            builder.Append('…');
        }
        return builder.Append('"').ToString();
    }

    /// <summary><c>a, b or c</c>.</summary>
    public static string Alternatives(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1],
    };

    /// <summary><c>a and b</c>, <c>a, b and c</c>.</summary>
    public static string Both(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    /// <summary>"an integer from 1 to 10", "a positive integer", "a non-negative integer".</summary>
    public static string IntegerRange(long min, long max) => (min, max) switch
    {
        (0, int.MaxValue) => "a non-negative integer",
        (1, int.MaxValue) => "a positive integer",
        _ => $"an integer from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
    };
}
