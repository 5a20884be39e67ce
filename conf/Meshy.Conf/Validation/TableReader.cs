using System.Collections.Immutable;
using Meshy.Conf.Loading;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Validation;

/// <summary>
/// Reads the keys of one table. Every key asked for becomes a known key, so after the binder has asked
/// for all of them <see cref="Finish"/> reports whatever is left as unknown, with the nearest known key
/// as a suggestion: the schema is exactly the set of keys the binder reads.
/// </summary>
internal sealed class TableReader(BindContext context, TomlTableNode table, string path)
{
    private readonly List<string> _known = [];

    public BindContext Context { get; } = context;

    public TomlTableNode Table { get; } = table;

    /// <summary>This table's key path (<c>clusters[0]</c>); empty for the root.</summary>
    public string Path { get; } = path;

    /// <summary>Where the table was opened (its header, <c>{</c>, or the first dotted key that made it).</summary>
    public SourcePosition Position => Table.Position;

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Looks up a key, marking it known and recording its span.</summary>
    public TomlEntry? Entry(string key)
    {
        _known.Add(key);
        if (!Table.TryGet(key, out TomlEntry entry))
        {
            return null;
        }
        Context.Record(PathOf(key), entry.KeyPosition, entry.Value.Position);
        return entry;
    }

    public TomlNode? Node(string key) => Entry(key)?.Value;

    /// <summary>Where the key was written, or the table when it is absent.</summary>
    public SourcePosition KeyPosition(string key) => Table.TryGet(key, out TomlEntry entry) ? entry.KeyPosition : Position;

    /// <summary>Reports a required key that is absent, at the table that should hold it.</summary>
    public void Missing(string key, string? hint = null) =>
        Context.Error(Position, PathOf(key), hint is null ? "missing required key" : $"missing required key ({hint})");

    /// <summary>Reports at a key that is present (the key, not its value, is the problem).</summary>
    public void ErrorAtKey(string key, string message) => Context.Error(KeyPosition(key), PathOf(key), message);

    public string? String(string key, bool required = false) =>
        Read(key, required, (TomlNode node, string path, out string? value) => Values.String(Context, node, path, out value));

    public string? NonEmptyString(string key, bool required = false) =>
        Read(key, required, (TomlNode node, string path, out string? value) => Values.NonEmptyString(Context, node, path, out value));

    public string? Name(string key, bool required = false) =>
        Read(key, required, (TomlNode node, string path, out string? value) => Values.Name(Context, node, path, out value));

    public string? UrlPath(string key, bool required = false) =>
        Read(key, required, (TomlNode node, string path, out string? value) => Values.Path(Context, node, path, out value));

    public string? Authority(string key) =>
        Read(key, false, (TomlNode node, string path, out string? value) => Values.Authority(Context, node, path, out value));

    public int? Integer(string key, int min, int max, bool required = false)
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, Describe.IntegerRange(min, max));
            }
            return null;
        }
        return Values.Integer(Context, node, PathOf(key), min, max, out long value) ? (int)value : null;
    }

    /// <summary>An HTTP status code from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public int? Status(string key, int min, int max, bool required = false)
    {
        TomlNode? node = Node(key);
        string expected = $"an HTTP status code from {min} to {max}";
        if (node is null)
        {
            if (required)
            {
                Missing(key, expected);
            }
            return null;
        }
        if (node is TomlScalarNode { Kind: TomlScalarKind.Integer, Value: long status } && status >= min && status <= max)
        {
            return (int)status;
        }
        Values.Fail(Context, node, PathOf(key), expected);
        return null;
    }

    public double? Percent(string key, bool required = false)
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, "a percentage from 0 to 100");
            }
            return null;
        }
        return Values.Percent(Context, node, PathOf(key), out double value) ? value : null;
    }

    public bool? Boolean(string key)
    {
        TomlNode? node = Node(key);
        return node is not null && Values.Boolean(Context, node, PathOf(key), out bool value) ? value : null;
    }

    public TimeSpan? Duration(string key, bool positive, TimeSpan max, bool required = false)
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, $"a duration such as {ConfigDuration.Examples}");
            }
            return null;
        }
        return Values.Duration(Context, node, PathOf(key), positive, max, out TimeSpan value) ? value : null;
    }

    public T? Enum<T>(string key, IReadOnlyList<(string Name, T Value)> names)
        where T : struct
    {
        TomlNode? node = Node(key);
        return node is not null && Values.Enum(Context, node, PathOf(key), names, out T value) ? value : null;
    }

    public ConfigAddress? Address(string key, AddressUse use, bool required = false)
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, "an address host:port");
            }
            return null;
        }
        return Values.Address(Context, node, PathOf(key), use, out ConfigAddress? value) ? value : null;
    }

    /// <summary>A sub-table; the caller binds it and calls <see cref="Finish"/> on the returned reader.</summary>
    public TableReader? SubTable(string key, bool required = false)
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, "a table");
            }
            return null;
        }
        if (node is not TomlTableNode child)
        {
            Values.Fail(Context, node, PathOf(key), "a table");
            return null;
        }
        return new TableReader(Context, child, PathOf(key));
    }

    /// <summary>
    /// An array whose items each go through <paramref name="readItem"/> (path <c>key[i]</c>). Invalid items
    /// are reported and left out. With <paramref name="allowSingle"/> a lone value counts as a one-item array.
    /// </summary>
    public ImmutableArray<T>? List<T>(string key, ItemReader<T> readItem, string expected, bool allowSingle = false)
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            return null;
        }
        string path = PathOf(key);
        if (node is not TomlArrayNode array)
        {
            if (allowSingle && node is TomlScalarNode)
            {
                return readItem(node, path, out T? single) ? [single!] : [];
            }
            Values.Fail(Context, node, path, expected);
            return [];
        }
        var items = ImmutableArray.CreateBuilder<T>(array.Items.Count);
        for (int i = 0; i < array.Items.Count; i++)
        {
            TomlNode item = array.Items[i];
            string itemPath = $"{path}[{i}]";
            Context.Record(itemPath, item.Position, item.Position);
            if (readItem(item, itemPath, out T? value))
            {
                items.Add(value!);
            }
        }
        return items.ToImmutable();
    }

    /// <summary>
    /// An array of tables (<c>[[key]]</c> or <c>key = [{...}]</c>). Every element is bound, even an invalid one,
    /// so element <c>i</c> of the result is <c>key[i]</c> of the file; non-table elements are reported and skipped.
    /// </summary>
    public ImmutableArray<T> Tables<T>(string key, Func<TableReader, T> bind, string expected)
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            return [];
        }
        string path = PathOf(key);
        if (node is not TomlArrayNode array)
        {
            Values.Fail(Context, node, path, expected);
            return [];
        }
        var items = ImmutableArray.CreateBuilder<T>(array.Items.Count);
        for (int i = 0; i < array.Items.Count; i++)
        {
            TomlNode item = array.Items[i];
            string itemPath = $"{path}[{i}]";
            Context.Record(itemPath, item.Position, item.Position);
            if (item is not TomlTableNode element)
            {
                Values.Fail(Context, item, itemPath, "a table");
                continue;
            }
            var reader = new TableReader(Context, element, itemPath);
            items.Add(bind(reader));
            reader.Finish();
        }
        return items.ToImmutable();
    }

    /// <summary>
    /// A table whose keys are names chosen by the user (labels, header names); each value goes through
    /// <paramref name="readValue"/> with path <c>key.NAME</c>.
    /// </summary>
    public ImmutableArray<(TomlEntry Entry, T Value)>? Map<T>(string key, Func<TomlEntry, string, (bool Ok, T Value)> readValue)
    {
        TableReader? map = SubTable(key);
        if (map is null)
        {
            return Node(key) is null ? null : [];
        }
        var items = ImmutableArray.CreateBuilder<(TomlEntry, T)>(map.Table.Entries.Count);
        foreach (TomlEntry entry in map.Table.Entries)
        {
            string entryPath = map.PathOf(entry.Name);
            Context.Record(entryPath, entry.KeyPosition, entry.Value.Position);
            (bool ok, T value) = readValue(entry, entryPath);
            if (ok)
            {
                items.Add((entry, value));
            }
        }
        return items.ToImmutable();
    }

    /// <summary>Reports every key of the table that no one asked for.</summary>
    public void Finish()
    {
        foreach (TomlEntry entry in Table.Entries)
        {
            if (_known.Contains(entry.Name))
            {
                continue;
            }
            string? suggestion = NameSuggester.Suggest(entry.Name, _known);
            string message = suggestion is not null
                ? $"unknown key (did you mean {suggestion}?)"
                : $"unknown key (expected one of: {string.Join(", ", _known.Distinct())})";
            Context.Error(entry.KeyPosition, PathOf(entry.Name), message);
        }
    }

    private T? Read<T>(string key, bool required, ItemReader<T> read)
        where T : class
    {
        TomlNode? node = Node(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key);
            }
            return null;
        }
        return read(node, PathOf(key), out T? value) ? value : null;
    }
}
