namespace Meshy.Conf.Loading;

/// <summary>A table: the root, a <c>[header]</c> table, an inline table, or one made by a dotted key.</summary>
internal sealed class TomlTableNode(SourcePosition position) : TomlNode(position)
{
    private readonly Dictionary<string, TomlEntry> _byName = new(StringComparer.Ordinal);

    /// <summary>Keys in the order they were written.</summary>
    public List<TomlEntry> Entries { get; } = [];

    public bool TryGet(string name, out TomlEntry entry) => _byName.TryGetValue(name, out entry!);

    public bool TryGetKey(string name) => _byName.ContainsKey(name);

    public void Add(TomlEntry entry)
    {
        // NOTE: Tomlyn's validation already rejects redefined keys; first definition wins if one slips by.
        if (_byName.TryAdd(entry.Name, entry))
        {
            Entries.Add(entry);
        }
    }
}
