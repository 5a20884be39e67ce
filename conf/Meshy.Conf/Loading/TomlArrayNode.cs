namespace Meshy.Conf.Loading;

/// <summary>An inline array (<c>[1, 2]</c>) or an array of tables (<c>[[clusters]]</c>).</summary>
internal sealed class TomlArrayNode(SourcePosition position, bool isTableArray) : TomlNode(position)
{
    /// <summary>True for <c>[[name]]</c> headers, whose elements are tables opened one by one.</summary>
    public bool IsTableArray { get; } = isTableArray;

    public List<TomlNode> Items { get; } = [];
}
