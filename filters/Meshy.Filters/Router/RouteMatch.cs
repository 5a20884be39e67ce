using System.Collections.Immutable;
using System.Net;
using System.Text;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>
/// One compiled <c>match</c> table: every condition it sets must hold (AND). Conditions are checked
/// cheapest first (method, path, source, headers, query) so a miss costs as little as possible; regexes
/// were compiled with the snapshot, so a request allocates nothing here.
/// </summary>
internal sealed class RouteMatch
{
    public RouteMatch(RouteMatchConfig config)
    {
        Path = config.Path is null ? null : new PathCondition(config.Path);
        Headers = [.. config.Headers.Select(h => new HeaderCondition(h))];
        Query = [.. config.Query.Select(q => new QueryCondition(q))];
        Methods = [.. config.Methods];
        MethodBytes = [.. config.Methods.Select(Encoding.ASCII.GetBytes)];
        Sources = [.. config.Sources.Select(s => new SourceRange(s))];
    }

    /// <summary><c>path</c>, or null for any path.</summary>
    public PathCondition? Path { get; }

    /// <summary><c>headers.NAME</c>, all of which must hold.</summary>
    public ImmutableArray<HeaderCondition> Headers { get; }

    /// <summary><c>query.NAME</c>, all of which must hold.</summary>
    public ImmutableArray<QueryCondition> Query { get; }

    /// <summary><c>method</c> as configured; empty for any.</summary>
    public ImmutableArray<string> Methods { get; }

    /// <summary><c>method</c> tokens; empty for any.</summary>
    private ImmutableArray<byte[]> MethodBytes { get; }

    /// <summary><c>source</c> ranges, any one of which must hold; empty for any.</summary>
    public ImmutableArray<SourceRange> Sources { get; }

    /// <summary>How many leading path bytes a prefix match consumed (what <c>rewrite.prefix</c> replaces); 0 when not a prefix match.</summary>
    public int PrefixLength => Path?.PrefixLength ?? 0;

    /// <summary>True when the path condition is a prefix (rewrites replace that prefix rather than the whole path).</summary>
    public bool MatchesByPrefix => Path?.Kind == StringMatchKind.Prefix;

    /// <summary>
    /// True when every condition holds for <paramref name="request"/> from <paramref name="source"/> (the
    /// downstream peer; null when unknown, which fails any <c>source</c> condition).
    /// </summary>
    public bool Matches(HttpRequestHead request, IPAddress? source)
    {
        if (!MatchesMethod(request) || !MatchesPath(request) || !MatchesSource(source))
        {
            return false;
        }
        foreach (HeaderCondition header in Headers)
        {
            if (!header.Matches(request.Headers))
            {
                return false;
            }
        }
        foreach (QueryCondition query in Query)
        {
            if (!query.Matches(request.Query))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// For <c>meshy route</c>: each condition with whether it held, evaluated by the same code as
    /// <see cref="Matches"/>. Allocates; never on the request path.
    /// </summary>
    public IEnumerable<(string Condition, bool Held)> Explain(HttpRequestHead request, IPAddress? source)
    {
        if (!Methods.IsEmpty)
        {
            yield return ($"method in [{string.Join(", ", Methods)}]", MatchesMethod(request));
        }
        if (Path is not null)
        {
            yield return (Path.Describe(), MatchesPath(request));
        }
        if (!Sources.IsEmpty)
        {
            string sourceText = source is null ? " (no --source given)" : "";
            yield return ($"source in [{string.Join(", ", Sources.Select(s => s.Text))}]{sourceText}", MatchesSource(source));
        }
        foreach (HeaderCondition header in Headers)
        {
            yield return (header.Describe(), header.Matches(request.Headers));
        }
        foreach (QueryCondition query in Query)
        {
            yield return (query.Describe(), query.Matches(request.Query));
        }
    }

    private bool MatchesMethod(HttpRequestHead request)
    {
        if (MethodBytes.IsEmpty)
        {
            return true;
        }
        ReadOnlySpan<byte> method = request.MethodBytes;
        foreach (byte[] allowed in MethodBytes)
        {
            if (method.SequenceEqual(allowed))
            {
                return true;
            }
        }
        return false;
    }

    private bool MatchesPath(HttpRequestHead request) => Path is null || Path.Matches(request.Path);

    private bool MatchesSource(IPAddress? source)
    {
        if (Sources.IsEmpty)
        {
            return true;
        }
        if (source is null)
        {
            return false;
        }
        foreach (SourceRange range in Sources)
        {
            if (range.Contains(source))
            {
                return true;
            }
        }
        return false;
    }
}
