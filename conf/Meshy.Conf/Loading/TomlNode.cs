namespace Meshy.Conf.Loading;

/// <summary>
/// A resolved TOML value with where it was written. Tomlyn's syntax tree keeps tables, dotted keys and
/// arrays of tables as written; this tree merges them into nested tables so binding can look keys up.
/// </summary>
internal abstract class TomlNode(SourcePosition position)
{
    /// <summary>First character of the value; for a table opened by a header, the header's <c>[</c>.</summary>
    public SourcePosition Position { get; set; } = position;
}
