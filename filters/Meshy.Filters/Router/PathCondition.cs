using System.Text;
using System.Text.RegularExpressions;
using Meshy.Conf.Schema;

namespace Meshy.Filters.Router;

/// <summary>A compiled <c>match.path</c>: exact, prefix or regex on the path as received (without the query).</summary>
internal sealed class PathCondition
{
    private readonly byte[] _text;
    private readonly Regex? _regex;

    public PathCondition(PathMatchConfig config)
    {
        Kind = config.Kind;
        Text = config.Value;
        _text = Encoding.UTF8.GetBytes(config.Value);
        _regex = config.Kind == StringMatchKind.Regex ? RouteRegex.Compile(config.Value) : null;
    }

    /// <summary>Exact, prefix or regex.</summary>
    public StringMatchKind Kind { get; }

    /// <summary>The configured text or pattern.</summary>
    public string Text { get; }

    /// <summary>For a prefix match: how many leading bytes of the path it matched (what <c>rewrite.prefix</c> replaces); 0 otherwise.</summary>
    public int PrefixLength => Kind == StringMatchKind.Prefix ? _text.Length : 0;

    /// <summary>True when <paramref name="path"/> satisfies the condition.</summary>
    public bool Matches(ReadOnlySpan<byte> path) => Kind switch
    {
        StringMatchKind.Exact => path.SequenceEqual(_text),
        StringMatchKind.Prefix => path.StartsWith(_text),
        _ => RouteRegex.IsFullMatchUtf8(_regex!, path),
    };

    /// <summary>For <c>meshy route</c>: <c>path.prefix = "/api/"</c>.</summary>
    public string Describe() => $"path.{Kind.ToString().ToLowerInvariant()} = \"{Text}\"";
}
