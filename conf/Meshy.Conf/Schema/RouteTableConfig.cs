using System.Collections.Immutable;

namespace Meshy.Conf.Schema;

/// <summary>
/// <c>[[routes]]</c>: a route table, like an Istio VirtualService: the hosts it serves and its ordered
/// rules (the first rule whose match holds wins).
/// </summary>
public sealed record RouteTableConfig
{
    /// <summary><c>name</c>: unique across route tables; listeners refer to it. Required.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// <c>hosts</c>: Host / <c>:authority</c> values this table serves, port ignored, case-insensitive:
    /// exact names, <c>*.example.com</c> (any name ending in <c>.example.com</c>) or <c>*</c>.
    /// Default <c>["*"]</c>.
    /// </summary>
    public ImmutableArray<string> Hosts { get; init; } = ["*"];

    /// <summary><c>rules</c> (<c>[[routes.rules]]</c>), in order. A request no rule matches gets 404 <c>NR</c>.</summary>
    public ImmutableArray<RouteRuleConfig> Rules { get; init; } = [];
}
