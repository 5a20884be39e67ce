using Tomlyn.Syntax;

namespace Meshy.Conf.Loading;

/// <summary>
/// Names the key nearest to a TOML syntax error: the last key or table header written at or before the
/// error, as a key path with array-of-tables indexes (<c>clusters[1].endpoints</c>). <c>(file)</c> when
/// the error comes before any key.
/// </summary>
internal sealed class SyntaxKeyLocator
{
    private readonly List<(SourcePosition Position, string Path)> _keys = [];

    public SyntaxKeyLocator(DocumentSyntax document)
    {
        foreach (KeyValueSyntax keyValue in document.KeyValues)
        {
            AddKey("", keyValue);
        }
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        var current = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (TableSyntaxBase table in document.Tables)
        {
            if (table.Name is null)
            {
                continue;
            }
            string path = ResolveHeader(table, counters, current);
            _keys.Add((TomlTreeBuilder.ToPosition(table.Span.Start), path));
            foreach (KeyValueSyntax keyValue in table.Items)
            {
                AddKey(path, keyValue);
            }
        }
        _keys.Sort((a, b) => (a.Position.Line, a.Position.Column).CompareTo((b.Position.Line, b.Position.Column)));
    }

    public string NearestKeyPath(SourcePosition at)
    {
        string nearest = ConfigDiagnostic.FileKeyPath;
        foreach ((SourcePosition position, string path) in _keys)
        {
            if (position.Line > at.Line || (position.Line == at.Line && position.Column > at.Column))
            {
                break;
            }
            nearest = path;
        }
        return nearest;
    }

    // [[a.b]] is element counters["a[i].b"] of the array under the current element i of a.
    private static string ResolveHeader(TableSyntaxBase table, Dictionary<string, int> counters, Dictionary<string, int> current)
    {
        List<(string Name, SourcePosition Position)> parts = TomlTreeBuilder.KeyParts(table.Name!);
        string path = "";
        for (int i = 0; i < parts.Count; i++)
        {
            path = path.Length == 0 ? parts[i].Name : $"{path}.{parts[i].Name}";
            bool last = i == parts.Count - 1;
            if (last && table is TableArraySyntax)
            {
                int index = counters.TryGetValue(path, out int count) ? count : 0;
                counters[path] = index + 1;
                current[path] = index;
                path = $"{path}[{index}]";
            }
            else if (current.TryGetValue(path, out int open))
            {
                path = $"{path}[{open}]";
            }
        }
        return path;
    }

    private void AddKey(string tablePath, KeyValueSyntax keyValue)
    {
        if (keyValue.Key is null)
        {
            return;
        }
        List<(string Name, SourcePosition Position)> parts = TomlTreeBuilder.KeyParts(keyValue.Key);
        if (parts.Count == 0)
        {
            return;
        }
        string key = string.Join('.', parts.Select(p => p.Name));
        _keys.Add((parts[0].Position, tablePath.Length == 0 ? key : $"{tablePath}.{key}"));
    }
}
