using Meshy.Conf.Schema;
using Meshy.Engine.Http;
using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.Pools;

namespace Meshy.Filters.Router;

/// <summary>
/// What the router uses for a request on an <c>original_destination</c> listener that no route table or
/// rule takes (CONTRACT: "the upstream is the socket's original destination unless a route of this table
/// matches"): a rule with no match, filters, rewrite, retries or timeout, and the <see cref="PassthroughCluster"/>
/// destination whose endpoint is the connection's original destination.
/// </summary>
internal static class PassthroughRoute
{
    /// <summary>The route name in the access log and log lines: Istio's name for its passthrough route.</summary>
    public const string TableName = "allow_any";

    /// <summary>The rule name in the access log and log lines.</summary>
    public const string RuleName = "original_destination";

    /// <summary>
    /// The pools of original destinations: Istio leaves its PassthroughCluster without circuit-breaker limits
    /// (the client could open these connections itself), so no limit here either, and no pending queue is ever
    /// needed. Idle connections and the connect timeout are the defaults (60s, 1s, as the TCP passthrough's).
    /// </summary>
    public static Http1PoolSettings PoolSettings { get; } = new()
    {
        MaxConnections = int.MaxValue,
        MaxPendingRequests = int.MaxValue,
    };

    /// <summary>The rule <see cref="RouterFilter.Match"/> returns for such a request.</summary>
    public static RouteRule Rule { get; } = new()
    {
        TableName = TableName,
        RuleName = RuleName,
        Config = new RouteRuleConfig { Name = RuleName },
        Matches = [],
        Filters = HttpFilterChain.Empty,
        IsPassthrough = true,
    };

    /// <summary>The destination of a request whose original destination the registry keeps (its connections are pooled).</summary>
    public static RouteDestination Destination { get; } = new()
    {
        Cluster = PassthroughCluster.Snapshot,
        Weight = 1,
        PoolSettings = PoolSettings,
        MaxRetries = 0,
    };

    /// <summary>
    /// The destination of a request whose endpoint the registry could not keep (it is full): its connection
    /// is closed after the request, since no later request would find it in the endpoint's pool.
    /// </summary>
    public static RouteDestination UnpooledDestination { get; } = new()
    {
        Cluster = PassthroughCluster.Snapshot,
        Weight = 1,
        PoolSettings = PoolSettings with { MaxIdlePerEndpoint = 0 },
        MaxRetries = 0,
    };
}
