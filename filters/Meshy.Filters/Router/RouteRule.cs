using System.Collections.Immutable;
using System.Net;
using Meshy.Conf.Schema;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>One compiled <c>[[routes.rules]]</c> entry: when it matches, and what happens then.</summary>
internal sealed class RouteRule : IHttpRoute
{
    /// <summary>What a rule without <c>match</c> matches with: every request, no path prefix.</summary>
    public static readonly RouteMatch MatchAll = new(RouteMatchConfig.Any);

    /// <inheritdoc />
    public required string TableName { get; init; }

    /// <inheritdoc />
    public required string RuleName { get; init; }

    /// <summary>The rule as configured (for <c>meshy route</c>'s description of its policies).</summary>
    public required RouteRuleConfig Config { get; init; }

    /// <summary>The match tables; any one must hold. Empty: every request matches.</summary>
    public required ImmutableArray<RouteMatch> Matches { get; init; }

    /// <summary>The weighted <c>to</c>; null when the rule redirects or responds directly.</summary>
    public WeightedPicker? Destinations { get; init; }

    /// <summary>The <c>respond</c> action; null when the rule does not respond directly.</summary>
    public DirectResponse? Respond { get; init; }

    /// <summary>The <c>redirect</c> action; null when the rule does not redirect.</summary>
    public RedirectAction? Redirect { get; init; }

    /// <summary>The <c>rewrite</c> applied before proxying; null for none.</summary>
    public RewriteAction? Rewrite { get; init; }

    /// <summary><c>headers.request</c>: applied before proxying; null for none.</summary>
    public HeaderMutation? RequestHeaders { get; init; }

    /// <summary><c>headers.response</c>: applied to proxied, redirect and direct responses; null for none.</summary>
    public HeaderMutation? ResponseHeaders { get; init; }

    /// <inheritdoc />
    public required HttpFilterChain Filters { get; init; }

    /// <inheritdoc />
    public TimeSpan? Timeout { get; init; }

    /// <summary><c>retries</c>: when a failed try is sent again; null for none (only the free stale-connection retry).</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>True only for <see cref="PassthroughRoute.Rule"/>: the request goes to the connection's original destination.</summary>
    public bool IsPassthrough { get; init; }

    /// <summary>
    /// Counts a request answered before it was forwarded (a fault abort, a timeout during a fault delay) under
    /// the destination this rule would have sent it to, as Envoy does by choosing the weighted cluster when it
    /// resolves the route: Istio's series then carry its <c>destination_service</c>. A chosen cluster is kept.
    /// </summary>
    public void AttributeTo(HttpExchange exchange, long nowTicks)
    {
        if (exchange.Cluster is null && Destinations is { } destinations
            && (destinations.Pick(nowTicks) ?? destinations.Pick(nowTicks, panic: true)) is { } destination)
        {
            exchange.Cluster = destination.Cluster;
            exchange.Subset = destination.Subset;
        }
    }

    /// <summary>
    /// The match table that holds for the request (<see cref="MatchAll"/> for a rule without
    /// <c>match</c>), or null when the rule does not match.
    /// </summary>
    public RouteMatch? FindMatch(HttpRequestHead request, IPAddress? source)
    {
        if (Matches.IsEmpty)
        {
            return MatchAll;
        }
        foreach (RouteMatch match in Matches)
        {
            if (match.Matches(request, source))
            {
                return match;
            }
        }
        return null;
    }
}
