namespace Meshy.Bench.Load.Proxies;

/// <summary>What a Meshy run does with a scenario's config.</summary>
internal enum MeshyVariant
{
    /// <summary>What the scenario asks of Meshy: its route, its access log.</summary>
    AsScenario,

    /// <summary>The plain route and no access log, whatever the scenario varies: <c>meshy-plain</c>.</summary>
    PlainRoute,

    /// <summary>A <c>tcp</c> listener forwarding the bytes unread: <c>meshy-l4</c>, the floor of what a proxy costs.</summary>
    BytesOnly,
}
