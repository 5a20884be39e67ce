using System.Collections.Immutable;
using Meshy.Engine.Http;

namespace Meshy.Filters.Router;

/// <summary>One compiled <c>[[routes]]</c> table: its rules in order, the first match wins.</summary>
internal sealed class RouteTable
{
    /// <summary><c>name</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>hosts</c> as configured.</summary>
    public required ImmutableArray<string> Hosts { get; init; }

    /// <summary>The rules, in file order.</summary>
    public required ImmutableArray<RouteRule> Rules { get; init; }

    /// <summary>The first rule that matches <paramref name="request"/>, or null.</summary>
    public RouteRule? Match(HttpRequestHead request)
    {
        foreach (RouteRule rule in Rules)
        {
            if (rule.IsMatch(request))
            {
                return rule;
            }
        }
        return null;
    }
}
