using System.Collections.Immutable;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>One compiled <c>[[routes.rules]]</c> entry: when it matches, and what happens then.</summary>
internal sealed class RouteRule : IHttpRoute
{
    /// <inheritdoc />
    public required string TableName { get; init; }

    /// <inheritdoc />
    public required string RuleName { get; init; }

    /// <summary>The match tables; any one must hold. Empty: every request matches.</summary>
    public required ImmutableArray<RouteMatch> Matches { get; init; }

    /// <summary>The weighted <c>to</c>; null when the rule responds directly.</summary>
    public WeightedPicker? Destinations { get; init; }

    /// <summary>The <c>respond</c> action; null when the rule proxies.</summary>
    public DirectResponse? Respond { get; init; }

    /// <summary>True when the rule's action cannot be served by this build (it never matches).</summary>
    public bool Unsupported { get; init; }

    /// <inheritdoc />
    public required HttpFilterChain Filters { get; init; }

    /// <inheritdoc />
    public TimeSpan? Timeout { get; init; }

    /// <summary>True when the request matches the rule.</summary>
    public bool IsMatch(HttpRequestHead request)
    {
        if (Unsupported)
        {
            return false;
        }
        if (Matches.IsEmpty)
        {
            return true;
        }
        foreach (RouteMatch match in Matches)
        {
            if (match.Matches(request))
            {
                return true;
            }
        }
        return false;
    }
}
