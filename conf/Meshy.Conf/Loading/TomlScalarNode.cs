namespace Meshy.Conf.Loading;

/// <summary>A string, integer, float, boolean or date-time value.</summary>
internal sealed class TomlScalarNode(SourcePosition position, TomlScalarKind kind, object value, string text) : TomlNode(position)
{
    public TomlScalarKind Kind { get; } = kind;

    /// <summary><see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, or the token text for date-times.</summary>
    public object Value { get; } = value;

    /// <summary>The token as written (for numbers and booleans in messages).</summary>
    public string Text { get; } = text;
}
