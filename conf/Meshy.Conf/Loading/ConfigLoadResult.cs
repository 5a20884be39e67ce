using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Meshy.Conf.Schema;

namespace Meshy.Conf.Loading;

/// <summary>
/// The outcome of loading a config file: the typed config when the file is free of problems, and
/// every problem found otherwise (all of them, not just the first).
/// </summary>
public sealed class ConfigLoadResult
{
    internal ConfigLoadResult(string source, MeshyConfig? config, ImmutableArray<ConfigDiagnostic> diagnostics, FrozenDictionary<string, ConfigSpan> spans)
    {
        Source = source;
        Config = diagnostics.IsEmpty ? config : null;
        Diagnostics = diagnostics;
        Spans = spans;
    }

    /// <summary>The file name as given to the loader; every diagnostic carries it.</summary>
    public string Source { get; }

    /// <summary>The config; null whenever there is any diagnostic.</summary>
    public MeshyConfig? Config { get; }

    /// <summary>Every problem, sorted by line and column; empty on success.</summary>
    public ImmutableArray<ConfigDiagnostic> Diagnostics { get; }

    /// <summary>True when the file loaded with no diagnostic.</summary>
    [MemberNotNullWhen(true, nameof(Config))]
    public bool Success => Config is not null && Diagnostics.IsEmpty;

    /// <summary>
    /// Where each key path was written (<c>clusters[0].lb</c>, <c>routes[1].rules[0].to[2]</c>). Later stages
    /// use it, through <see cref="CreateDiagnostic"/>, to report in the same format. Empty when parsing failed.
    /// </summary>
    public IReadOnlyDictionary<string, ConfigSpan> Spans { get; }

    /// <summary>
    /// A diagnostic for <paramref name="keyPath"/> positioned at its value (or its key when
    /// <paramref name="atKey"/>); an unknown path falls back to its nearest recorded parent, then 1:1.
    /// </summary>
    public ConfigDiagnostic CreateDiagnostic(string keyPath, string message, bool atKey = false)
    {
        for (string? path = keyPath; path is not null; path = Validation.BindContext.Parent(path))
        {
            if (Spans.TryGetValue(path, out ConfigSpan span))
            {
                SourcePosition at = atKey ? span.Key : span.Value;
                return new ConfigDiagnostic(Source, at.Line, at.Column, keyPath, message);
            }
        }
        return new ConfigDiagnostic(Source, 1, 1, keyPath, message);
    }
}
