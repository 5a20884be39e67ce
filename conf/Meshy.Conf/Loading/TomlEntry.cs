namespace Meshy.Conf.Loading;

/// <summary>One key of a table: its name, where the key was written and its value.</summary>
internal sealed class TomlEntry(string name, SourcePosition keyPosition, TomlNode value)
{
    public string Name { get; } = name;

    public SourcePosition KeyPosition { get; } = keyPosition;

    public TomlNode Value { get; } = value;
}
