using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>
/// One <c>match</c> table of a rule: every condition that is set must hold (AND). A rule with an
/// array of these matches when any one of them holds (OR).
/// </summary>
public sealed record RouteMatchConfig
{
    /// <summary>A match with no condition: every request.</summary>
    public static RouteMatchConfig Any { get; } = new();

    /// <summary><c>path</c>: <c>exact</c>, <c>prefix</c> or <c>regex</c> on the path without the query. None when absent.</summary>
    public PathMatchConfig? Path { get; init; }

    /// <summary><c>headers.NAME</c>: one condition per header (names case-insensitive), in file order.</summary>
    public ImmutableArray<HeaderMatchConfig> Headers { get; init; } = [];

    /// <summary><c>query.NAME</c>: one condition per query parameter (names case-sensitive), in file order.</summary>
    public ImmutableArray<QueryMatchConfig> Query { get; init; } = [];

    /// <summary><c>method</c>: the request method must be one of these (case-sensitive, e.g. <c>["GET", "HEAD"]</c>). Empty: any.</summary>
    public ImmutableArray<string> Methods { get; init; } = [];

    /// <summary><c>source</c>: the downstream peer address must lie in one of these CIDR ranges. Empty: any.</summary>
    public ImmutableArray<CidrRange> Sources { get; init; } = [];
}
