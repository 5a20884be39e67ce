using Meshy.Engine.Upstream;
using Meshy.Engine.Upstream.CircuitBreaking;
using Meshy.Engine.Upstream.LoadBalancing;
using Meshy.Engine.Upstream.Pools;

namespace Meshy.Filters.Router;

/// <summary>One compiled entry of a rule's <c>to</c>: a cluster or one of its subsets, its weight, and how to reach it.</summary>
internal sealed class RouteDestination
{
    /// <summary>The cluster.</summary>
    public required ClusterSnapshot Cluster { get; init; }

    /// <summary>The subset, when the entry names one.</summary>
    public SubsetSnapshot? Subset { get; init; }

    /// <summary><c>weight</c>; 0 sends nothing.</summary>
    public required int Weight { get; init; }

    /// <summary>The cluster's or the subset's pool settings.</summary>
    public required Http1PoolSettings PoolSettings { get; init; }

    /// <summary>The cluster's <c>limits.max_retries</c>: retries in flight to it at most.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The cluster's <c>limits.max_requests</c>: requests in flight to it at most.</summary>
    public int MaxRequests { get; init; } = 1024;

    /// <summary>The cluster's circuit-breaker state (process-wide, by name); null: no limits apply (the passthrough).</summary>
    public ClusterCircuitBreaker? Breaker { get; init; }

    /// <summary>The cluster's <c>hash_on</c> when its <c>lb</c> is <c>ring_hash</c>; null otherwise.</summary>
    public RouteHashPolicy? Hash { get; init; }

    /// <summary>The balancer over the endpoints this entry targets.</summary>
    public ILoadBalancer LoadBalancer => Subset?.LoadBalancer ?? Cluster.LoadBalancer;

    /// <summary>The endpoints this entry targets.</summary>
    public System.Collections.Immutable.ImmutableArray<EndpointSnapshot> Endpoints => Subset?.Endpoints ?? Cluster.Endpoints;

    /// <summary>True when at least one endpoint has a nonzero weight (what panic mode needs).</summary>
    public bool HasEndpoint()
    {
        foreach (EndpointSnapshot endpoint in Endpoints)
        {
            if (endpoint.Weight > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when at least one endpoint could take the request at <paramref name="nowTicks"/>.</summary>
    public bool HasAvailableEndpoint(long nowTicks)
    {
        foreach (EndpointSnapshot endpoint in Endpoints)
        {
            if (endpoint.Weight > 0 && endpoint.State.IsAvailable(nowTicks))
            {
                return true;
            }
        }
        return false;
    }
}
