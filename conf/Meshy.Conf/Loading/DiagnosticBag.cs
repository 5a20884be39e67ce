namespace Meshy.Conf.Loading;

/// <summary>Collects every problem of one load so they can be reported together, sorted by position.</summary>
internal sealed class DiagnosticBag(string file)
{
    private readonly List<ConfigDiagnostic> _items = [];

    /// <summary>The file name every diagnostic carries (as given by the caller).</summary>
    public string File { get; } = file;

    /// <summary>Number of problems so far.</summary>
    public int Count => _items.Count;

    /// <summary>Adds a problem at <paramref name="at"/>.</summary>
    public void Add(SourcePosition at, string keyPath, string message) =>
        _items.Add(new ConfigDiagnostic(File, at.Line, at.Column, keyPath, message));

    /// <summary>The problems in file order (line, then column); ties keep the order they were found in.</summary>
    public System.Collections.Immutable.ImmutableArray<ConfigDiagnostic> ToSortedArray() =>
        [.. _items.OrderBy(d => d.Line).ThenBy(d => d.Column)];
}
