using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Net;
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

    /// <summary>The first rule that matches the request from <paramref name="source"/>, and the match table that held.</summary>
    public bool TryMatch(HttpRequestHead request, IPAddress? source, [NotNullWhen(true)] out RouteRule? rule, [NotNullWhen(true)] out RouteMatch? match)
    {
        foreach (RouteRule candidate in Rules)
        {
            if (candidate.FindMatch(request, source) is { } held)
            {
                rule = candidate;
                match = held;
                return true;
            }
        }
        rule = null;
        match = null;
        return false;
    }
}
