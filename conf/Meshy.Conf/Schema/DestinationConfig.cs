namespace Meshy.Conf.Schema;

/// <summary>One entry of a rule's <c>to</c>: a cluster (optionally one subset of it) and its share.</summary>
public sealed record DestinationConfig
{
    /// <summary><c>cluster</c>: a cluster name. Required.</summary>
    public required string Cluster { get; init; }

    /// <summary><c>subset</c>: a subset name of that cluster; none means the whole cluster.</summary>
    public string? Subset { get; init; }

    /// <summary>
    /// <c>weight</c>: share relative to the rule's other destinations (any total); 0 sends nothing.
    /// Default 1, range 0–2 147 483 647; a rule's weights must not all be 0.
    /// </summary>
    public int Weight { get; init; } = 1;
}
