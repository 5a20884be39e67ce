using Meshy.Conf.Loading;

namespace Meshy.Conf.Validation;

/// <summary>
/// State of one bind: the problems found so far and the position of every key path seen, so later
/// checks (references, duplicates) can point at the exact key or value.
/// </summary>
internal sealed class BindContext(string file)
{
    public DiagnosticBag Diagnostics { get; } = new(file);

    /// <summary>Key path → where its key and value were written.</summary>
    public Dictionary<string, ConfigSpan> Spans { get; } = new(StringComparer.Ordinal);

    public void Error(SourcePosition at, string keyPath, string message) => Diagnostics.Add(at, keyPath, message);

    public void Record(string keyPath, SourcePosition key, SourcePosition value) => Spans[keyPath] = new ConfigSpan(key, value);

    /// <summary>Where <paramref name="keyPath"/>'s value was written, else its nearest recorded parent's, else 1:1.</summary>
    public SourcePosition ValuePosition(string keyPath)
    {
        for (string? path = keyPath; path is not null; path = Parent(path))
        {
            if (Spans.TryGetValue(path, out ConfigSpan span))
            {
                return span.Value;
            }
        }
        return SourcePosition.Start;
    }

    /// <summary><c>a.b[2].c</c> → <c>a.b[2]</c> → <c>a.b</c> → <c>a</c> → null.</summary>
    public static string? Parent(string keyPath)
    {
        int cut = Math.Max(keyPath.LastIndexOf('.'), keyPath.LastIndexOf('['));
        return cut > 0 ? keyPath[..cut] : null;
    }
}
